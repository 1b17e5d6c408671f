// fd-relative recursive copy.
#include "rootfs/copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "base/unique_fd.h"

namespace cocoon::rootfs {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

Result<UniqueFd> OpenAt(int dir, const char* name, int flags, mode_t mode = 0) {
  int fd = ::openat(dir, name, flags | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return std::unexpected(ErrnoError(fmt::format("opening {}", name)));
  return UniqueFd(fd);
}

Result<> CopyFile(int from_dir, int to_dir, const char* name, const struct stat& st) {
  UniqueFd in = TRY(OpenAt(from_dir, name, O_RDONLY));
  UniqueFd out = TRY(OpenAt(to_dir, name, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 07777));
  for (off_t left = st.st_size; left > 0;) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0) return std::unexpected(ErrnoError(fmt::format("copying {}", name)));
    if (n == 0) break;  // the file shrank meanwhile
    left -= n;
  }
  return {};
}

Result<> CopySymlink(int from_dir, int to_dir, const char* name) {
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlinkat(from_dir, name, target.data(), target.size());
  if (n < 0) return std::unexpected(ErrnoError(fmt::format("readlink {}", name)));
  target.resize(static_cast<size_t>(n));
  if (::symlinkat(target.c_str(), to_dir, name) < 0)
    return std::unexpected(ErrnoError(fmt::format("symlink {}", name)));
  return {};
}

Result<> CopyEntry(int from_dir, int to_dir, const char* name) {
  struct stat st;
  if (::fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return std::unexpected(ErrnoError(fmt::format("stat {}", name)));
  switch (st.st_mode & S_IFMT) {
    case S_IFDIR: {
      if (::mkdirat(to_dir, name, st.st_mode & 07777) < 0)
        return std::unexpected(ErrnoError(fmt::format("mkdir {}", name)));
      UniqueFd from = TRY(OpenAt(from_dir, name, O_RDONLY | O_DIRECTORY));
      UniqueFd to = TRY(OpenAt(to_dir, name, O_RDONLY | O_DIRECTORY));
      TRY_CTX(CopyTree(from.get(), to.get()), name);
      break;
    }
    case S_IFREG:
      TRY(CopyFile(from_dir, to_dir, name, st));
      break;
    case S_IFLNK:
      TRY(CopySymlink(from_dir, to_dir, name));
      break;
    default:  // devices, fifos, sockets
      if (::mknodat(to_dir, name, st.st_mode, st.st_rdev) < 0)
        return std::unexpected(ErrnoError(fmt::format("mknod {}", name)));
  }
  if (::fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return std::unexpected(ErrnoError(fmt::format("chown {}", name)));
  // mkdir/mknod/open applied the umask: set the exact mode (symlinks have none).
  if (!S_ISLNK(st.st_mode) && ::fchmodat(to_dir, name, st.st_mode & 07777, 0) < 0)
    return std::unexpected(ErrnoError(fmt::format("chmod {}", name)));
  return {};
}

}  // namespace

Result<> CopyTree(int from_dir, int to_dir) {
  int dup = ::fcntl(from_dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return std::unexpected(ErrnoError("dup"));
  DirPtr dir(::fdopendir(dup));
  if (!dir) {
    int err = errno;
    ::close(dup);
    return std::unexpected(ErrnoError("opendir", err));
  }
  ::rewinddir(dir.get());
  while (struct dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    TRY(CopyEntry(from_dir, to_dir, entry->d_name));
  }
  return {};
}

}  // namespace cocoon::rootfs
