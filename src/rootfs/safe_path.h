// Container paths resolved inside the root with openat2(RESOLVE_IN_ROOT), so no symlink in the
// container's root can send a mount, mknod or symlink outside of it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::rootfs {

// Opens `path` (a container path; absolute paths are taken relative to the root) below
// `root_fd` as if `root_fd` were "/": symlinks and ".." never leave it; magic links are refused.
Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode = 0);

// mkdir -p inside the root. Dangling symlinks on the way are followed inside the root and
// their targets created, as runc's SecureJoin does. Returns an O_PATH fd of the directory.
Result<UniqueFd> MkdirAllInRoot(int root_fd, std::string_view path, mode_t mode = 0755);

// Makes sure `path` exists (creating an empty regular file and its parent directories if it
// does not) and returns an O_PATH fd of it: the mount point for a file bind mount.
Result<UniqueFd> MakeFileInRoot(int root_fd, std::string_view path, mode_t mode = 0644);

// The directory that holds `path` (created if missing) and the last component of `path`,
// for the *at() calls that create or remove the last component itself (mknodat, symlinkat).
struct ParentDir {
  UniqueFd fd;  // O_PATH
  std::string name;
};
Result<ParentDir> OpenParentInRoot(int root_fd, std::string_view path);

// "/proc/self/fd/<fd>": a path that mount(2) resolves to exactly the file `fd` refers to.
std::string FdPath(int fd);

// "a//b/./c/" -> {"a", "b", "c"}; ".." is kept (only the kernel may resolve it safely).
std::vector<std::string> SplitPath(std::string_view path);

}  // namespace cocoon::rootfs
