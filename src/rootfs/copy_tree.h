// Recursive directory copy for tmpfs "tmpcopyup": what the image had at a mount point is
// copied into the fresh tmpfs mounted over it.
#pragma once

#include "base/error.h"

namespace cocoon::rootfs {

// Copies the contents of directory `from_dir` into directory `to_dir` (both fds opened with
// O_RDONLY|O_DIRECTORY), keeping types, modes and owners; symlinks are copied, not followed.
Result<> CopyTree(int from_dir, int to_dir);

}  // namespace cocoon::rootfs
