// A file description backed by a host fd: the guest's stdin/stdout/stderr
// (the sandbox's stdio or console) until a tty layer exists.
#pragma once

#include "base/unique_fd.h"
#include "kernel/vfs/file.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::MakeRef;
using vfs::Ref;

// Wraps `fd` with open(2) `flags` (access mode and O_NONBLOCK as the guest
// should see them). Blocking reads poll the host fd so an interrupt of the
// calling thread's Waiter ends them with EINTR.
Ref<vfs::FileDescription> NewHostFdFile(UniqueFd fd, int flags);

// The host fd behind `file` when it is a host-fd file, else -1 (for
// forwarding tty ioctls to the real terminal).
int HostFdOf(vfs::FileDescription& file);

}  // namespace cocoon::kernel::fs
