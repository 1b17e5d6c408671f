// The gofer file system: vfs inodes over gofer handles.
#include "kernel/fs/gofer_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "kernel/vfs/device.h"
#include "kernel/vfs/file.h"

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

// An open gofer file: positional I/O on the donated host fd. The fd's own
// offset is never used, so one fd is safe under concurrent readers.
class GoferFile : public vfs::FileDescription {
 public:
  GoferFile(Ref<GoferInode> inode, UniqueFd fd) : inode_(std::move(inode)), fd_(std::move(fd)) {}

  int64_t Fsync() override { return fsync(fd_.get()) < 0 ? -errno : 0; }

 protected:
  int64_t DoPRead(std::span<char> buf, int64_t offset) override {
    ssize_t n = pread(fd_.get(), buf.data(), buf.size(), offset);
    return n < 0 ? -errno : n;
  }
  int64_t DoPWrite(std::span<const char> buf, int64_t offset) override {
    ssize_t n = pwrite(fd_.get(), buf.data(), buf.size(), offset);
    return n < 0 ? -errno : n;
  }

 private:
  Ref<GoferInode> inode_;
  UniqueFd fd_;
};

}  // namespace

vfs::Stat FromNodeStat(const gofer::NodeStat& st, uint64_t dev) {
  vfs::Stat s;
  s.dev = dev;
  s.ino = st.ino;
  s.mode = st.mode;
  s.nlink = st.nlink;
  s.uid = st.uid;
  s.gid = st.gid;
  s.rdev = st.rdev;
  s.size = st.size;
  s.blksize = st.blksize;
  s.blocks = st.blocks;
  s.atime = st.atime;
  s.mtime = st.mtime;
  s.ctime = st.ctime;
  return s;
}

Result<Ref<GoferFs>> GoferFs::Create(std::shared_ptr<gofer::Client> client, std::string_view path) {
  auto attached = client->Attach(path);
  if (!attached) return std::unexpected(ErrnoError(fmt::format("attaching gofer tree {}", path), -attached.error()));
  if (!S_ISDIR(attached->node.stat.mode)) {
    (void)client->Close(attached->node.handle);
    return std::unexpected(Errorf("gofer tree {} is not a directory", path));
  }
  Ref<GoferFs> fs(new GoferFs(std::move(client), attached->read_only != 0));
  fs->SetRoot(MakeRef<GoferInode>(*fs, attached->node));
  return fs;
}

GoferInode::GoferInode(GoferFs& fs, const gofer::Node& node, UniqueFd created_fd)
    : vfs::Inode(fs, node.stat.ino, node.stat.mode, node.stat.uid, node.stat.gid, node.stat.rdev),
      client_(fs.shared_client()),
      handle_(node.handle),
      created_fd_(std::move(created_fd)) {
  Cache(node.stat);
}

GoferInode::~GoferInode() {
  if (auto closed = client().Close(handle_); !closed) {
    log::Debug("gofer: closing handle {}: errno {}", handle_, -closed.error());
  }
}

void GoferInode::Cache(const gofer::NodeStat& st) {
  std::lock_guard lock(mu_);
  mode_ = (mode_ & S_IFMT) | (st.mode & ~S_IFMT);
  uid_ = st.uid;
  gid_ = st.gid;
  nlink_ = st.nlink;
  atime_ = st.atime;
  mtime_ = st.mtime;
  ctime_ = st.ctime;
}

GoferInode* GoferInode::Same(vfs::Inode& other) const {
  if (&other.fs() != &fs()) return nullptr;
  return static_cast<GoferInode*>(&other);  // every inode of a GoferFs is a GoferInode
}

ErrOr<vfs::Stat> GoferInode::GetStat() {
  gofer::NodeStat st = TRY(client().Stat(handle_));
  Cache(st);
  return FromNodeStat(st, fs().dev());
}

ErrOr<void> GoferInode::SetStat(const vfs::SetStatRequest& request) {
  gofer::SetstatRequest set;
  set.handle = handle_;
  if (request.mode) set.mask |= gofer::kSetMode, set.mode = *request.mode & 07777;
  if (request.uid) set.mask |= gofer::kSetUid, set.uid = *request.uid;
  if (request.gid) set.mask |= gofer::kSetGid, set.gid = *request.gid;
  if (request.size) set.mask |= gofer::kSetSize, set.size = *request.size;
  if (request.atime) set.mask |= gofer::kSetAtime, set.atime = *request.atime;
  if (request.mtime) set.mask |= gofer::kSetMtime, set.mtime = *request.mtime;
  TRY(client().Setstat(set));
  // The host may have changed more than asked (chown clears set-id bits).
  TRY(GetStat());
  return {};
}

ErrOr<Ref<vfs::Inode>> GoferInode::Lookup(std::string_view name) {
  if (!IsDir()) return Fail(ENOTDIR);
  auto nodes = TRY(client().Walk(handle_, {std::string(name)}));
  if (nodes.size() != 1) return Fail(EIO);
  return Ref<vfs::Inode>(MakeRef<GoferInode>(static_cast<GoferFs&>(fs()), nodes[0]));
}

ErrOr<Ref<vfs::Inode>> GoferInode::MakeNode(std::string_view name, const vfs::NodeSpec& spec) {
  if (!IsDir()) return Fail(ENOTDIR);
  auto& gfs = static_cast<GoferFs&>(fs());
  uint32_t perm = spec.mode & 07777;
  switch (spec.mode & S_IFMT) {
    case S_IFREG: {
      // Opened read-write now: the vfs opens the new file right after.
      auto created = TRY(client().Create(handle_, name, O_RDWR, perm, spec.uid, spec.gid));
      return Ref<vfs::Inode>(MakeRef<GoferInode>(gfs, created.node, std::move(created.fd)));
    }
    case S_IFDIR: {
      auto node = TRY(client().Mkdir(handle_, name, perm, spec.uid, spec.gid));
      return Ref<vfs::Inode>(MakeRef<GoferInode>(gfs, node));
    }
    case S_IFLNK: {
      auto node = TRY(client().Symlink(handle_, name, spec.symlink_target, spec.uid, spec.gid));
      return Ref<vfs::Inode>(MakeRef<GoferInode>(gfs, node));
    }
    default: {
      auto node = TRY(client().Mknod(handle_, name, spec.mode, spec.rdev, spec.uid, spec.gid));
      return Ref<vfs::Inode>(MakeRef<GoferInode>(gfs, node));
    }
  }
}

ErrOr<void> GoferInode::Link(std::string_view name, vfs::Inode& target) {
  GoferInode* t = Same(target);
  if (!t) return Fail(EXDEV);
  auto node = TRY(client().Link(handle_, name, t->handle()));
  (void)client().Close(node.handle);  // the vfs keeps using `target`'s inode
  TRY(t->GetStat());                   // nlink changed
  return {};
}

ErrOr<void> GoferInode::Unlink(std::string_view name) {
  // The vfs has checked the type; the host knows it too.
  auto removed = client().Unlink(handle_, name, 0);
  if (!removed && removed.error() == -EISDIR) removed = client().Unlink(handle_, name, AT_REMOVEDIR);
  return removed;
}

ErrOr<void> GoferInode::Rename(std::string_view old_name, vfs::Inode&, vfs::Inode& new_dir,
                               std::string_view new_name, uint32_t flags) {
  GoferInode* to = Same(new_dir);
  if (!to) return Fail(EXDEV);
  return client().Rename(handle_, old_name, to->handle(), new_name, flags);
}

ErrOr<std::vector<vfs::DirEntry>> GoferInode::ReadDir() {
  if (!IsDir()) return Fail(ENOTDIR);
  auto entries = TRY(client().Getdents(handle_));
  std::vector<vfs::DirEntry> out;
  out.reserve(entries.size());
  for (auto& e : entries) out.push_back({std::move(e.name), e.ino, static_cast<uint8_t>(e.type)});
  return out;
}

ErrOr<std::string> GoferInode::ReadLink() {
  if (!IsSymlink()) return Fail(EINVAL);
  {
    std::lock_guard lock(mu_);
    if (link_target_) return *link_target_;
  }
  std::string target = TRY(client().Readlink(handle_));
  std::lock_guard lock(mu_);
  link_target_ = target;
  return target;
}

ErrOr<Ref<vfs::FileDescription>> GoferInode::Open(int flags) {
  if (type() == S_IFCHR) return vfs::OpenCharDevice(rdev_, flags);  // the sandbox's devices, not the host's
  if (!IsRegular()) return Fail(ENXIO);
  UniqueFd fd;
  {
    std::lock_guard lock(mu_);
    fd = std::move(created_fd_);  // read-write: the vfs checks the access mode
  }
  if (!fd) {
    // O_TRUNC is the vfs's (a SetStat after the open); only the access mode goes.
    fd = TRY(client().Open(handle_, static_cast<uint32_t>(flags & O_ACCMODE)));
  }
  return Ref<vfs::FileDescription>(MakeRef<GoferFile>(Ref<GoferInode>(this), std::move(fd)));
}

}  // namespace cocoon::kernel::fs
