// Helpers for vfs and fs tests: a mount namespace on a fresh tmpfs and short
// wrappers that read and write whole files.
#pragma once

#include <fcntl.h>

#include <string>

#include "kernel/fs/tmpfs.h"
#include "kernel/vfs/vfs.h"

namespace cocoon::kernel::vfs::testing {

class VfsFixture {
 public:
  explicit VfsFixture(Ref<FileSystem> root_fs = fs::Tmpfs::Create(0755))
      : ns_(MakeRef<MountNamespace>(std::move(root_fs))) {}

  PathContext Ctx(Creds creds = {}) const { return {ns_->Root(), ns_->Root(), creds}; }
  MountNamespace& ns() { return *ns_; }

  ErrOr<Ref<FileDescription>> OpenPath(std::string_view path, int flags, uint32_t mode = 0644) {
    return Open(Ctx(), path, flags, mode, 022);
  }
  // Creates or replaces `path` with `data`.
  int64_t WriteWhole(std::string_view path, std::string_view data) {
    auto file = OpenPath(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (!file) return file.error();
    return (*file)->Write({data.data(), data.size()});
  }
  // The contents of `path`, or "ERR<n>".
  std::string ReadWhole(std::string_view path) {
    auto file = OpenPath(path, O_RDONLY);
    if (!file) return "ERR" + std::to_string(file.error());
    std::string out;
    char buf[256];
    for (;;) {
      int64_t n = (*file)->Read(buf);
      if (n < 0) return "ERR" + std::to_string(n);
      if (n == 0) return out;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  int Mkdir(std::string_view path, uint32_t mode = 0755) {
    auto r = MakeDirectory(Ctx(), path, mode, 022);
    return r ? 0 : r.error();
  }

 private:
  Ref<MountNamespace> ns_;
};

// The error of a failed ErrOr, or 0.
template <typename T>
int ErrorOf(const ErrOr<T>& r) {
  return r ? 0 : r.error();
}

}  // namespace cocoon::kernel::vfs::testing
