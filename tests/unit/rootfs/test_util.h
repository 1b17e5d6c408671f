// Helpers for the rootfs tests: temporary directories and small file operations.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "base/file.h"

namespace cocoon::rootfs::testing {

// A fresh directory under /tmp named after the test process, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/cocoon-rootfs-test-" + std::to_string(::getpid()) + "-XXXXXX";
    path_ = ::mkdtemp(pattern.data()) ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void MakeDir(const std::string& path) { std::filesystem::create_directories(path); }

inline void PutFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  (void)WriteFile(path, data, O_CREAT, 0644);
}

inline void PutSymlink(const std::string& target, const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  (void)::symlink(target.c_str(), path.c_str());
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

inline bool IsDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace cocoon::rootfs::testing
