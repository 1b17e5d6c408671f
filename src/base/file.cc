// File helpers.
#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cocoon {

Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return std::unexpected(ErrnoError(fmt::format("opening {}", path)));
  return UniqueFd(fd);
}

Result<std::string> ReadFd(int fd) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(ErrnoError("read"));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> ReadFile(const std::string& path) {
  UniqueFd fd = TRY(OpenFile(path, O_RDONLY));
  return WithContext(ReadFd(fd.get()), fmt::format("reading {}", path));
}

Result<> WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(ErrnoError("write"));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<> WriteFile(const std::string& path, std::string_view data, int flags, mode_t mode) {
  UniqueFd fd = TRY(OpenFile(path, O_WRONLY | O_TRUNC | flags, mode));
  return WithContext(WriteAll(fd.get(), data), fmt::format("writing {}", path));
}

Result<> WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    UniqueFd fd = TRY(OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode));
    TRY_CTX(WriteAll(fd.get(), data), fmt::format("writing {}", tmp));
    if (::fsync(fd.get()) < 0) return std::unexpected(ErrnoError(fmt::format("fsync {}", tmp)));
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return std::unexpected(ErrnoError(fmt::format("renaming {} to {}", tmp, path), err));
  }
  return {};
}

Result<> MakeDirs(const std::string& path, mode_t mode) {
  if (path.empty()) return {};
  for (size_t pos = 1;; ++pos) {
    pos = path.find('/', pos);
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), mode) < 0 && errno != EEXIST)
      return std::unexpected(ErrnoError(fmt::format("mkdir {}", part)));
    if (pos == std::string::npos) break;
  }
  return {};
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Result<std::string> ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return std::unexpected(ErrnoError("readlink " + path));
  if (static_cast<size_t>(n) == sizeof(buf)) return std::unexpected(Errorf("readlink {}: target too long", path));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace cocoon
