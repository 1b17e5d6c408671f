// /dev: the character devices every program expects (null, zero, full,
// random, urandom, tty, console) and a tmpfs laid out as Linux's /dev.
#pragma once

#include "base/unique_fd.h"
#include "kernel/fs/tmpfs.h"

namespace cocoon::kernel::fs {

// Puts the devices in the vfs device table (idempotent; call once at boot).
void RegisterDevices();

// Makes host terminal `fd` the sandbox's console (the pty of `terminal:
// true`): /dev/console opens it, and so does /dev/tty, since every task
// shares that one terminal (there are no sessions yet). Call before MakeDevFs.
void SetConsole(UniqueFd fd);
// Whether host fd `fd` is the console's terminal.
bool IsConsole(int host_fd);

// A tmpfs with the device nodes (/dev/console when there is a console),
// /dev/fd, stdin/stdout/stderr symlinks into /proc/self/fd, and empty pts/
// and shm/ directories. Registers the devices.
Ref<Tmpfs> MakeDevFs();

}  // namespace cocoon::kernel::fs
