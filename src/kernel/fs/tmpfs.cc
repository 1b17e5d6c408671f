// tmpfs inodes: directories as maps, files as byte strings.
#include "kernel/fs/tmpfs.h"

#include <linux/fs.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cstring>

#include "kernel/vfs/device.h"

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

// The file description of an open tmpfs file.
class TmpfsFileDescription : public vfs::FileDescription {
 public:
  explicit TmpfsFileDescription(Ref<TmpfsFile> file) : file_(std::move(file)) {}

 protected:
  int64_t DoPRead(std::span<char> buf, int64_t offset) override { return file_->ReadAt(buf, offset); }
  int64_t DoPWrite(std::span<const char> buf, int64_t offset) override { return file_->WriteAt(buf, offset); }

 private:
  Ref<TmpfsFile> file_;
};

constexpr size_t kXattrValueMax = 65536;  // XATTR_SIZE_MAX
constexpr std::string_view kXattrNamespaces[] = {"user.", "trusted.", "security."};

bool ValidXattrName(std::string_view name) {
  return std::any_of(std::begin(kXattrNamespaces), std::end(kXattrNamespaces),
                     [&](std::string_view ns) { return name.size() > ns.size() && name.starts_with(ns); });
}

// Linux reports a tmpfs directory's size as 20 bytes per entry (BOGO_DIRENT_SIZE).
constexpr int64_t kBogoDirentSize = 20;

}  // namespace

Ref<Tmpfs> Tmpfs::Create(uint32_t root_mode, uint32_t uid, uint32_t gid) {
  Ref<Tmpfs> fs(new Tmpfs());
  vfs::NodeSpec spec;
  spec.mode = S_IFDIR | (root_mode & 07777);
  spec.uid = uid;
  spec.gid = gid;
  fs->SetRoot(fs->NewInode(spec));
  return fs;
}

Ref<vfs::Inode> Tmpfs::NewInode(const vfs::NodeSpec& spec) {
  uint64_t ino = NextIno();
  switch (spec.mode & S_IFMT) {
    case S_IFDIR:
      return MakeRef<TmpfsDirectory>(*this, ino, spec.mode, spec.uid, spec.gid);
    case S_IFREG:
      return MakeRef<TmpfsFile>(*this, ino, spec.mode, spec.uid, spec.gid);
    case S_IFLNK:
      return MakeRef<TmpfsSymlink>(*this, ino, spec);
    default:
      return MakeRef<TmpfsSpecial>(*this, ino, spec.mode, spec.uid, spec.gid, spec.rdev);
  }
}

// --- extended attributes ---

ErrOr<std::string> TmpfsInode::GetXattr(std::string_view name) {
  if (!ValidXattrName(name)) return Fail(EOPNOTSUPP);
  std::lock_guard lock(mu_);
  auto it = xattrs_.find(name);
  if (it == xattrs_.end()) return Fail(ENODATA);
  return it->second;
}

ErrOr<void> TmpfsInode::SetXattr(std::string_view name, std::string_view value, int flags) {
  if (!ValidXattrName(name)) return Fail(EOPNOTSUPP);
  if (value.size() > kXattrValueMax) return Fail(E2BIG);
  std::lock_guard lock(mu_);
  auto it = xattrs_.find(name);
  if ((flags & XATTR_CREATE) && it != xattrs_.end()) return Fail(EEXIST);
  if ((flags & XATTR_REPLACE) && it == xattrs_.end()) return Fail(ENODATA);
  xattrs_[std::string(name)] = std::string(value);
  ctime_ = vfs::Now();
  return {};
}

ErrOr<std::vector<std::string>> TmpfsInode::ListXattr() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, value] : xattrs_) out.push_back(name);
  return out;
}

ErrOr<void> TmpfsInode::RemoveXattr(std::string_view name) {
  if (!ValidXattrName(name)) return Fail(EOPNOTSUPP);
  std::lock_guard lock(mu_);
  auto it = xattrs_.find(name);
  if (it == xattrs_.end()) return Fail(ENODATA);
  xattrs_.erase(it);
  ctime_ = vfs::Now();
  return {};
}

// --- directories ---

ErrOr<Ref<vfs::Inode>> TmpfsDirectory::Lookup(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Fail(ENOENT);
  return it->second;
}

ErrOr<Ref<vfs::Inode>> TmpfsDirectory::MakeNode(std::string_view name, const vfs::NodeSpec& spec) {
  std::lock_guard lock(mu_);
  if (nlink_ == 0) return Fail(ENOENT);
  if (entries_.contains(name)) return Fail(EEXIST);
  Ref<vfs::Inode> inode = static_cast<Tmpfs&>(fs()).NewInode(spec);
  entries_.emplace(std::string(name), inode);
  if (inode->IsDir()) ++nlink_;  // the child's ".."
  mtime_ = ctime_ = vfs::Now();
  return inode;
}

ErrOr<void> TmpfsDirectory::Link(std::string_view name, vfs::Inode& target) {
  if (&target.fs() != &fs()) return Fail(EXDEV);
  if (target.IsDir()) return Fail(EPERM);
  std::lock_guard lock(mu_);
  if (entries_.contains(name)) return Fail(EEXIST);
  entries_.emplace(std::string(name), Ref<vfs::Inode>(&target));
  target.AdjustNlink(+1);
  mtime_ = ctime_ = vfs::Now();
  return {};
}

ErrOr<void> TmpfsDirectory::Unlink(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) return Fail(ENOENT);
  Ref<vfs::Inode> child = it->second;
  if (child->IsDir()) {
    auto* dir = static_cast<TmpfsDirectory*>(child.get());
    {
      std::lock_guard child_lock(dir->mu_);
      if (!dir->entries_.empty()) return Fail(ENOTEMPTY);
      dir->nlink_ = 0;
      dir->ctime_ = vfs::Now();
    }
    --nlink_;
  } else {
    child->AdjustNlink(-1);
  }
  entries_.erase(it);
  mtime_ = ctime_ = vfs::Now();
  return {};
}

ErrOr<void> TmpfsDirectory::Rename(std::string_view old_name, vfs::Inode&, vfs::Inode& new_dir_inode,
                                   std::string_view new_name, uint32_t flags) {
  auto* new_dir = dynamic_cast<TmpfsDirectory*>(&new_dir_inode);
  if (!new_dir || &new_dir->fs() != &fs()) return Fail(EXDEV);
  std::unique_lock<std::mutex> lock_old(mu_, std::defer_lock);
  std::unique_lock<std::mutex> lock_new(new_dir->mu_, std::defer_lock);
  if (new_dir == this) {
    lock_old.lock();
  } else {
    std::lock(lock_old, lock_new);
  }
  auto src_it = entries_.find(old_name);
  if (src_it == entries_.end()) return Fail(ENOENT);
  Ref<vfs::Inode> src = src_it->second;
  auto dst_it = new_dir->entries_.find(new_name);
  Ref<vfs::Inode> dst = dst_it == new_dir->entries_.end() ? nullptr : dst_it->second;
  if (dst == src) return {};  // two names of one file: nothing to do
  timespec now = vfs::Now();

  if (flags & RENAME_EXCHANGE) {
    if (!dst) return Fail(ENOENT);
    std::swap(src_it->second, dst_it->second);
    if (new_dir != this && src->IsDir() != dst->IsDir()) {
      int delta = src->IsDir() ? 1 : -1;  // a subdirectory moved from here to there
      nlink_ -= delta;
      new_dir->nlink_ += delta;
    }
  } else {
    if (dst && (flags & RENAME_NOREPLACE)) return Fail(EEXIST);
    if (dst) {
      if (dst->IsDir()) {
        auto* victim = static_cast<TmpfsDirectory*>(dst.get());
        std::lock_guard victim_lock(victim->mu_);
        if (!victim->entries_.empty()) return Fail(ENOTEMPTY);
        victim->nlink_ = 0;
        --new_dir->nlink_;
      } else {
        dst->AdjustNlink(-1);
      }
      dst_it->second = src;
    } else {
      new_dir->entries_.emplace(std::string(new_name), src);
    }
    entries_.erase(src_it);
    if (src->IsDir() && new_dir != this) {
      --nlink_;
      ++new_dir->nlink_;
    }
  }
  mtime_ = ctime_ = now;
  new_dir->mtime_ = new_dir->ctime_ = now;
  return {};
}

ErrOr<std::vector<vfs::DirEntry>> TmpfsDirectory::ReadDir() {
  std::lock_guard lock(mu_);
  std::vector<vfs::DirEntry> out;
  out.reserve(entries_.size());
  for (const auto& [name, inode] : entries_) {
    out.push_back({name, inode->ino(), vfs::DirentType(inode->type())});
  }
  return out;
}

int64_t TmpfsDirectory::SizeLocked() const {
  return static_cast<int64_t>(entries_.size() + 2) * kBogoDirentSize;
}

// --- regular files ---

ErrOr<Ref<vfs::FileDescription>> TmpfsFile::Open(int) {
  return Ref<vfs::FileDescription>(MakeRef<TmpfsFileDescription>(Ref<TmpfsFile>(this)));
}

int64_t TmpfsFile::ReadAt(std::span<char> buf, int64_t offset) {
  std::lock_guard lock(mu_);
  if (offset >= static_cast<int64_t>(data_.size())) return 0;
  size_t n = std::min(buf.size(), data_.size() - static_cast<size_t>(offset));
  std::memcpy(buf.data(), data_.data() + offset, n);
  return static_cast<int64_t>(n);
}

int64_t TmpfsFile::WriteAt(std::span<const char> buf, int64_t offset) {
  if (buf.empty()) return 0;
  std::lock_guard lock(mu_);
  if (offset >= kTmpfsMaxFileSize) return -EFBIG;
  size_t n = std::min<size_t>(buf.size(), static_cast<size_t>(kTmpfsMaxFileSize - offset));
  size_t end = static_cast<size_t>(offset) + n;
  if (end > data_.size()) data_.resize(end, '\0');
  std::memcpy(data_.data() + offset, buf.data(), n);
  mtime_ = ctime_ = vfs::Now();
  mode_ &= ~(S_ISUID | S_ISGID);  // writes drop set-id bits (no capability model yet)
  return static_cast<int64_t>(n);
}

int64_t TmpfsFile::BlocksLocked() const {
  return (static_cast<int64_t>(data_.size()) + 4095) / 4096 * 8;  // whole pages
}

ErrOr<void> TmpfsFile::TruncateLocked(int64_t size) {
  if (size < 0) return Fail(EINVAL);
  if (size > kTmpfsMaxFileSize) return Fail(EFBIG);
  data_.resize(static_cast<size_t>(size), '\0');
  return {};
}

// --- symlinks and special files ---

TmpfsSymlink::TmpfsSymlink(vfs::FileSystem& fs, uint64_t ino, const vfs::NodeSpec& spec)
    : TmpfsInode(fs, ino, S_IFLNK | 0777, spec.uid, spec.gid), target_(spec.symlink_target) {}

ErrOr<Ref<vfs::FileDescription>> TmpfsSpecial::Open(int flags) {
  switch (type()) {
    case S_IFCHR: {
      uint64_t rdev;
      {
        std::lock_guard lock(mu_);
        rdev = rdev_;
      }
      return vfs::OpenCharDevice(rdev, flags);
    }
    case S_IFIFO: {
      Ref<Pipe> pipe;
      {
        std::lock_guard lock(mu_);
        if (!fifo_) fifo_ = MakeRef<Pipe>();
        pipe = fifo_;
      }
      return OpenFifo(pipe, flags);
    }
    default:
      return Fail(ENXIO);  // block devices and sockets: nothing to open here
  }
}

}  // namespace cocoon::kernel::fs
