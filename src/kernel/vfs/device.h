// The character-device table: what opening a device node (in any file
// system) gives. fs/dev registers null, zero, full, random, urandom, tty.
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "kernel/vfs/errno_or.h"
#include "kernel/vfs/file.h"

namespace cocoon::kernel::vfs {

using DeviceOpener = ErrOr<Ref<FileDescription>> (*)(int flags);

// Registers (or replaces) the opener for char device `major:minor`.
void RegisterCharDevice(uint32_t major, uint32_t minor, DeviceOpener opener);
// Opens char device `rdev`; ENXIO when nothing is registered.
ErrOr<Ref<FileDescription>> OpenCharDevice(uint64_t rdev, int flags);

}  // namespace cocoon::kernel::vfs
