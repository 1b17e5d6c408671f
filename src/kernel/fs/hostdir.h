// hostdir: a read-only view of a host directory, standing in for the gofer.
// Every lookup is one openat2 of a single name relative to the parent's fd,
// with RESOLVE_BENEATH and no symlink following: symlinks come back as
// symlink inodes that the vfs resolves inside the guest's root, so nothing
// outside the host directory is ever opened.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::MakeRef;
using vfs::Ref;

class HostDir : public vfs::FileSystem {
 public:
  // Opens `host_path` (a directory) as the root. Host errors are rich.
  static Result<Ref<HostDir>> Create(const std::string& host_path);

  std::string_view type() const override { return "hostdir"; }
  std::string options() const override { return "ro"; }

 private:
  HostDir() = default;
};

class HostInode : public vfs::Inode {
 public:
  // `fd` is the open host file (O_RDONLY for files and directories, O_PATH
  // for others); `link_target` for symlinks.
  HostInode(vfs::FileSystem& fs, UniqueFd fd, const struct stat& st, std::string link_target);

  ErrOr<vfs::Stat> GetStat() override;
  ErrOr<void> SetStat(const vfs::SetStatRequest&) override { return vfs::Fail(EROFS); }
  ErrOr<Ref<vfs::Inode>> Lookup(std::string_view name) override;
  ErrOr<Ref<vfs::Inode>> MakeNode(std::string_view, const vfs::NodeSpec&) override { return vfs::Fail(EROFS); }
  ErrOr<void> Link(std::string_view, vfs::Inode&) override { return vfs::Fail(EROFS); }
  ErrOr<void> Unlink(std::string_view) override { return vfs::Fail(EROFS); }
  ErrOr<void> Rename(std::string_view, vfs::Inode&, vfs::Inode&, std::string_view, uint32_t) override {
    return vfs::Fail(EROFS);
  }
  ErrOr<std::vector<vfs::DirEntry>> ReadDir() override;
  ErrOr<std::string> ReadLink() override;
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;

  int host_fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string link_target_;
};

}  // namespace cocoon::kernel::fs
