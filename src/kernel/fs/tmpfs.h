// tmpfs: a file system kept in memory (file data in the kernel's heap for
// now; the memory file later), with directories, symlinks, hard links,
// device nodes, fifos and extended attributes.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "kernel/fs/pipe.h"
#include "kernel/vfs/file.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::MakeRef;
using vfs::Ref;

// Largest tmpfs file: beyond it writes and truncates fail with EFBIG rather
// than exhausting the kernel's memory.
inline constexpr int64_t kTmpfsMaxFileSize = int64_t{1} << 32;

class Tmpfs : public vfs::FileSystem {
 public:
  // A new, empty tmpfs; its root has `root_mode` (01777 as Linux's default).
  static Ref<Tmpfs> Create(uint32_t root_mode = 01777, uint32_t uid = 0, uint32_t gid = 0);

  std::string_view type() const override { return "tmpfs"; }

  // A new inode of this file system, not linked into any directory.
  Ref<vfs::Inode> NewInode(const vfs::NodeSpec& spec);

 private:
  Tmpfs() = default;
};

// Extended attributes, common to every tmpfs inode.
class TmpfsInode : public vfs::Inode {
 public:
  using vfs::Inode::Inode;
  ErrOr<std::string> GetXattr(std::string_view name) override;
  ErrOr<void> SetXattr(std::string_view name, std::string_view value, int flags) override;
  ErrOr<std::vector<std::string>> ListXattr() override;
  ErrOr<void> RemoveXattr(std::string_view name) override;

 private:
  std::map<std::string, std::string, std::less<>> xattrs_;  // guarded by mu_
};

class TmpfsDirectory : public TmpfsInode {
 public:
  using TmpfsInode::TmpfsInode;
  ErrOr<Ref<vfs::Inode>> Lookup(std::string_view name) override;
  ErrOr<Ref<vfs::Inode>> MakeNode(std::string_view name, const vfs::NodeSpec& spec) override;
  ErrOr<void> Link(std::string_view name, vfs::Inode& target) override;
  ErrOr<void> Unlink(std::string_view name) override;
  ErrOr<void> Rename(std::string_view old_name, vfs::Inode& renamed, vfs::Inode& new_dir,
                     std::string_view new_name, uint32_t flags) override;
  ErrOr<std::vector<vfs::DirEntry>> ReadDir() override;

 protected:
  int64_t SizeLocked() const override;

 private:
  std::map<std::string, Ref<vfs::Inode>, std::less<>> entries_;  // guarded by mu_
};

class TmpfsFile : public TmpfsInode {
 public:
  using TmpfsInode::TmpfsInode;
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;

  int64_t ReadAt(std::span<char> buf, int64_t offset);
  int64_t WriteAt(std::span<const char> buf, int64_t offset);

 protected:
  int64_t SizeLocked() const override { return static_cast<int64_t>(data_.size()); }
  int64_t BlocksLocked() const override;
  ErrOr<void> TruncateLocked(int64_t size) override;

 private:
  std::string data_;  // guarded by mu_
};

class TmpfsSymlink : public TmpfsInode {
 public:
  TmpfsSymlink(vfs::FileSystem& fs, uint64_t ino, const vfs::NodeSpec& spec);
  ErrOr<std::string> ReadLink() override { return target_; }

 protected:
  int64_t SizeLocked() const override { return static_cast<int64_t>(target_.size()); }

 private:
  const std::string target_;
};

// Device nodes, fifos and sockets: opening goes to the device table or the
// fifo's pipe.
class TmpfsSpecial : public TmpfsInode {
 public:
  using TmpfsInode::TmpfsInode;
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;

 private:
  Ref<Pipe> fifo_;  // the fifo's pipe, created at first open; guarded by mu_
};

}  // namespace cocoon::kernel::fs
