// openat2-based path resolution inside the container root.
#include "rootfs/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace cocoon::rootfs {
namespace {

// Linux's own limit on symlinks followed during one lookup.
constexpr int kMaxSymlinks = 40;
// openat2 returns EAGAIN when a rename raced with a RESOLVE_IN_ROOT lookup; retrying is safe.
constexpr int kMaxAgain = 16;

std::string Relative(std::string_view path) {
  std::string out;
  for (const std::string& part : SplitPath(path)) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out.empty() ? "." : out;
}

std::string Join(const std::string& dir, std::string_view name) {
  if (dir == "." || dir.empty()) return std::string(name);
  return dir + "/" + std::string(name);
}

int RawOpenInRoot(int root_fd, const std::string& rel, int flags, mode_t mode) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (int i = 0;; ++i) {
    int fd = static_cast<int>(::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how));
    if (fd >= 0 || errno != EAGAIN || i >= kMaxAgain) return fd;
  }
}

Result<std::string> ReadLinkAt(int dir_fd, const std::string& name) {
  std::string buf(PATH_MAX, '\0');
  ssize_t n = ::readlinkat(dir_fd, name.c_str(), buf.data(), buf.size());
  if (n < 0) return std::unexpected(ErrnoError(fmt::format("readlink {}", name)));
  buf.resize(static_cast<size_t>(n));
  return buf;
}

}  // namespace

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") out.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::string FdPath(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, mode_t mode) {
  int fd = RawOpenInRoot(root_fd, Relative(path), flags, mode);
  if (fd < 0) return std::unexpected(ErrnoError(fmt::format("opening {} in the container root", path)));
  return UniqueFd(fd);
}

Result<UniqueFd> MkdirAllInRoot(int root_fd, std::string_view path, mode_t mode) {
  // `todo` holds the components still to walk, last one first; `done` is a path below the
  // root, known to be a directory, that only the kernel resolves (it may hold symlinks and "..").
  std::vector<std::string> todo = SplitPath(path);
  std::reverse(todo.begin(), todo.end());
  std::string done = ".";
  int links = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    std::string next = Join(done, name);
    int fd = RawOpenInRoot(root_fd, next, O_PATH | O_DIRECTORY, 0);
    if (fd >= 0) {
      ::close(fd);
      done = std::move(next);
      continue;
    }
    if (errno != ENOENT) return std::unexpected(ErrnoError(fmt::format("opening {} in the container root", next)));
    UniqueFd parent = TRY_CTX(OpenInRoot(root_fd, done, O_PATH | O_DIRECTORY), fmt::format("mkdir {}", path));
    if (::mkdirat(parent.get(), name.c_str(), mode) == 0) {
      done = std::move(next);
      continue;
    }
    if (errno != EEXIST) return std::unexpected(ErrnoError(fmt::format("mkdir {} in the container root", next)));
    // EEXIST right after ENOENT: `name` is a dangling symlink, or something appeared meanwhile.
    if (++links > kMaxSymlinks)
      return std::unexpected(ErrnoError(fmt::format("mkdir {} in the container root", path), ELOOP));
    auto target = ReadLinkAt(parent.get(), name);
    if (!target) {
      int err = target.error().code();
      if (err != EINVAL && err != ENOENT) return std::unexpected(target.error().Wrap(fmt::format("mkdir {}", path)));
      todo.push_back(std::move(name));  // not a symlink (any more): look again
      continue;
    }
    std::vector<std::string> parts = SplitPath(*target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_back(*it);
    if (target->starts_with('/')) done = ".";
  }
  return WithContext(OpenInRoot(root_fd, done, O_PATH | O_DIRECTORY), fmt::format("mkdir {}", path));
}

Result<ParentDir> OpenParentInRoot(int root_fd, std::string_view path) {
  std::vector<std::string> parts = SplitPath(path);
  if (parts.empty() || parts.back() == "..")
    return std::unexpected(Errorf("{}: not a path to a file in the container root", path));
  std::string name = std::move(parts.back());
  parts.pop_back();
  std::string dir;
  for (const std::string& part : parts) dir = Join(dir, part);
  UniqueFd fd = TRY(MkdirAllInRoot(root_fd, dir.empty() ? "." : dir));
  return ParentDir{std::move(fd), std::move(name)};
}

Result<UniqueFd> MakeFileInRoot(int root_fd, std::string_view path, mode_t mode) {
  int fd = RawOpenInRoot(root_fd, Relative(path), O_PATH, 0);
  if (fd >= 0) return UniqueFd(fd);
  if (errno != ENOENT) return std::unexpected(ErrnoError(fmt::format("opening {} in the container root", path)));
  TRY(OpenParentInRoot(root_fd, path));  // creates the parent directories
  // O_CREAT through the full path: a dangling symlink's target is created, still inside the root.
  TRY_CTX(OpenInRoot(root_fd, path, O_CREAT | O_WRONLY, mode), fmt::format("creating mount point {}", path));
  return OpenInRoot(root_fd, path, O_PATH);
}

}  // namespace cocoon::rootfs
