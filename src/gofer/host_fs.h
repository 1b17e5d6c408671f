// Host file system helpers of the gofer: confined opens and stat conversion.
#pragma once

#include <sys/stat.h>

#include <cstdint>

#include "gofer/errno_or.h"
#include "gofer/protocol.h"

namespace cocoon::gofer {

// openat2 of `name` beneath `dirfd` with RESOLVE_BENEATH, no symlink (magic or
// not) followed anywhere, O_NOFOLLOW and O_CLOEXEC added: `..`, absolute
// symlinks and a name swapped for a symlink can never reach outside `dirfd`.
// With O_PATH a final symlink is opened itself. Returns the fd or -1/errno.
int OpenBeneath(int dirfd, const char* name, uint64_t flags, uint32_t mode = 0);

// fstat of an fd (O_PATH is fine).
ErrOr<struct stat> StatFd(int fd);

NodeStat ToNodeStat(const struct stat& st);

}  // namespace cocoon::gofer
