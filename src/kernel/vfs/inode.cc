// Default inode behaviour: metadata kept in fields, errnos for unsupported ops.
#include "kernel/vfs/inode.h"

#include <sys/sysmacros.h>

#include "kernel/vfs/dentry.h"
#include "kernel/vfs/file.h"

namespace cocoon::kernel::vfs {

Inode::Inode(FileSystem& fs, uint64_t ino, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev)
    : mode_(mode),
      uid_(uid),
      gid_(gid),
      nlink_((mode & S_IFMT) == S_IFDIR ? 2 : 1),
      rdev_(rdev),
      fs_(&fs),
      ino_(ino),
      type_(mode & S_IFMT) {
  atime_ = mtime_ = ctime_ = Now();
}

uint32_t Inode::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}
uint32_t Inode::uid() const {
  std::lock_guard lock(mu_);
  return uid_;
}
uint32_t Inode::gid() const {
  std::lock_guard lock(mu_);
  return gid_;
}

ErrOr<Stat> Inode::GetStat() {
  std::lock_guard lock(mu_);
  Stat s;
  s.dev = fs_->dev();
  s.ino = ino_;
  s.mode = mode_;
  s.nlink = nlink_;
  s.uid = uid_;
  s.gid = gid_;
  s.rdev = rdev_;
  s.size = SizeLocked();
  s.blocks = BlocksLocked();
  s.atime = atime_;
  s.mtime = mtime_;
  s.ctime = ctime_;
  return s;
}

ErrOr<void> Inode::SetStat(const SetStatRequest& request) {
  std::lock_guard lock(mu_);
  timespec now = Now();
  if (request.size) {
    TRY(TruncateLocked(*request.size));
    mtime_ = now;
  }
  if (request.mode) mode_ = type_ | (*request.mode & 07777);
  if (request.uid) uid_ = *request.uid;
  if (request.gid) gid_ = *request.gid;
  if (request.atime) atime_ = *request.atime;
  if (request.mtime) mtime_ = *request.mtime;
  ctime_ = now;
  return {};
}

ErrOr<void> Inode::TruncateLocked(int64_t) { return Fail(IsDir() ? EISDIR : EINVAL); }

ErrOr<Ref<Inode>> Inode::Lookup(std::string_view) { return Fail(ENOTDIR); }
ErrOr<Ref<Inode>> Inode::MakeNode(std::string_view, const NodeSpec&) { return Fail(ENOTDIR); }
ErrOr<void> Inode::Link(std::string_view, Inode&) { return Fail(ENOTDIR); }
ErrOr<void> Inode::Unlink(std::string_view) { return Fail(ENOTDIR); }
ErrOr<void> Inode::Rename(std::string_view, Inode&, Inode&, std::string_view, uint32_t) {
  return Fail(ENOTDIR);
}
ErrOr<std::vector<DirEntry>> Inode::ReadDir() { return Fail(ENOTDIR); }
ErrOr<std::string> Inode::ReadLink() { return Fail(EINVAL); }
ErrOr<Ref<FileDescription>> Inode::MagicLinkFile() { return Ref<FileDescription>(); }
ErrOr<Ref<FileDescription>> Inode::Open(int) { return Fail(ENXIO); }
ErrOr<std::string> Inode::GetXattr(std::string_view) { return Fail(EOPNOTSUPP); }
ErrOr<void> Inode::SetXattr(std::string_view, std::string_view, int) { return Fail(EOPNOTSUPP); }
ErrOr<std::vector<std::string>> Inode::ListXattr() { return Fail(EOPNOTSUPP); }
ErrOr<void> Inode::RemoveXattr(std::string_view) { return Fail(EOPNOTSUPP); }

void Inode::AdjustNlink(int delta) {
  std::lock_guard lock(mu_);
  nlink_ += delta;
  ctime_ = Now();
}

void Inode::TouchModified() {
  std::lock_guard lock(mu_);
  mtime_ = ctime_ = Now();
}

int CheckPermission(const Inode& inode, const Creds& creds, int may) {
  uint32_t mode = inode.mode();
  if (creds.privileged()) {
    if (!(may & kMayExec) || inode.IsDir() || (mode & 0111)) return 0;
    return -EACCES;
  }
  uint32_t bits;
  if (creds.uid == inode.uid()) {
    bits = (mode >> 6) & 7;
  } else if (creds.InGroup(inode.gid())) {
    bits = (mode >> 3) & 7;
  } else {
    bits = mode & 7;
  }
  return (bits & may) == static_cast<uint32_t>(may) ? 0 : -EACCES;
}

namespace {
// Anonymous device numbers (major 0) as Linux gives to tmpfs, proc, overlay.
std::atomic<uint32_t> next_anon_minor{16};
}  // namespace

FileSystem::FileSystem() : dev_(makedev(0, next_anon_minor.fetch_add(1))) {}

FileSystem::~FileSystem() = default;

void FileSystem::SetRoot(Ref<Inode> root) { root_ = MakeRef<Dentry>(std::move(root), nullptr, "/"); }

}  // namespace cocoon::kernel::vfs
