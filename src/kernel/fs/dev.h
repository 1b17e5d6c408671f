// /dev: the character devices every program expects (null, zero, full,
// random, urandom, tty) and a tmpfs laid out as Linux's /dev.
#pragma once

#include "kernel/fs/tmpfs.h"

namespace cocoon::kernel::fs {

// Puts the devices in the vfs device table (idempotent; call once at boot).
void RegisterDevices();

// A tmpfs with the device nodes, /dev/fd, stdin/stdout/stderr symlinks into
// /proc/self/fd, and empty pts/ and shm/ directories. Registers the devices.
Ref<Tmpfs> MakeDevFs();

}  // namespace cocoon::kernel::fs
