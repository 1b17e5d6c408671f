// Mount trees: attaching, detaching and listing mounts.
#include "kernel/vfs/mount.h"

#include <algorithm>
#include <atomic>

#include "kernel/vfs/path.h"

namespace cocoon::kernel::vfs {

namespace {
std::atomic<uint64_t> next_mount_id{1};

struct FlagName {
  uint64_t flag;
  const char* name;
};
// Options /proc/mounts shows after the rw/ro word, in Linux's order.
constexpr FlagName kMountFlagNames[] = {
    {MS_NOSUID, "nosuid"}, {MS_NODEV, "nodev"}, {MS_NOEXEC, "noexec"},
    {MS_NOATIME, "noatime"}, {MS_RELATIME, "relatime"},
};

std::string MountOptions(const Mount& mount) {
  std::string out = mount.read_only() ? "ro" : "rw";
  for (const auto& f : kMountFlagNames) {
    if (mount.flags() & f.flag) out += std::string(",") + f.name;
  }
  std::string fs_options = mount.fs().options();
  // The file system's own "rw" is implied by the mount's word.
  if (!fs_options.empty() && fs_options != "rw") out += "," + fs_options;
  return out;
}
}  // namespace

std::mutex& MountLock() {
  static std::mutex mu;
  return mu;
}

Mount::Mount(Ref<FileSystem> fs, Ref<Dentry> root, uint64_t flags)
    : fs_(std::move(fs)), root_(std::move(root)), flags_(flags), id_(next_mount_id.fetch_add(1)) {}

Ref<Mount> Mount::ChildAt(const Dentry* dentry) const {
  std::lock_guard lock(MountLock());
  auto it = children_.find(dentry);
  return it == children_.end() ? nullptr : Ref<Mount>(it->second);
}

bool Mount::HasChildren() const {
  std::lock_guard lock(MountLock());
  return !children_.empty();
}

MountNamespace::MountNamespace(Ref<FileSystem> root_fs, uint64_t flags) {
  Ref<Dentry> root = root_fs->root_ref();
  root_ = MakeRef<Mount>(std::move(root_fs), std::move(root), flags);
  mounts_.push_back(root_);
}

MountNamespace::~MountNamespace() {
  // Break parent links from children so the mounts can go.
  std::lock_guard lock(MountLock());
  for (auto& m : mounts_) m->children_.clear();
}

VirtualDentry MountNamespace::Root() const { return {root_, root_->root_ref()}; }

ErrOr<void> MountNamespace::MountAt(const VirtualDentry& target, Ref<FileSystem> fs, uint64_t flags,
                                    Ref<Dentry> fs_root) {
  if (!target.inode().IsDir()) return Fail(ENOTDIR);
  if (target.dentry->deleted()) return Fail(ENOENT);
  if (!fs_root) fs_root = fs->root_ref();
  auto mount = MakeRef<Mount>(std::move(fs), std::move(fs_root), flags);
  std::lock_guard lock(MountLock());
  if (target.mount->children_.contains(target.dentry.get())) return Fail(EBUSY);
  mount->parent_ = target.mount;
  mount->mountpoint_ = target.dentry;
  target.mount->children_[target.dentry.get()] = mount.get();
  mounts_.push_back(std::move(mount));
  return {};
}

ErrOr<void> MountNamespace::Unmount(const VirtualDentry& target) {
  std::lock_guard lock(MountLock());
  Mount* m = target.mount.get();
  if (target.dentry.get() != m->root() || m == root_.get()) return Fail(EINVAL);
  auto it = std::find_if(mounts_.begin(), mounts_.end(), [m](const Ref<Mount>& r) { return r.get() == m; });
  if (it == mounts_.end()) return Fail(EINVAL);
  if (!m->children_.empty()) return Fail(EBUSY);
  m->parent_->children_.erase(m->mountpoint_.get());
  // Open files keep the mount object alive; it just is no longer reachable.
  mounts_.erase(it);
  return {};
}

std::vector<MountInfo> MountNamespace::List() const {
  std::vector<Ref<Mount>> mounts;
  {
    std::lock_guard lock(MountLock());
    mounts = mounts_;
  }
  std::vector<MountInfo> out;
  VirtualDentry root = Root();
  for (const auto& m : mounts) {
    MountInfo info;
    info.path = PathOf(root, {m, m->root_ref()}).value_or("?");
    info.type = std::string(m->fs().type());
    info.options = MountOptions(*m);
    info.id = m->id();
    info.parent_id = m->parent() ? m->parent()->id() : 0;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace cocoon::kernel::vfs
