// Mounts and mount namespaces: which file system is visible where.
#pragma once

#include <sys/mount.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kernel/vfs/dentry.h"
#include "kernel/vfs/inode.h"
#include "kernel/vfs/ref.h"

namespace cocoon::kernel::vfs {

class Mount : public RefCounted {
 public:
  // `flags` are MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC...
  Mount(Ref<FileSystem> fs, Ref<Dentry> root, uint64_t flags);

  FileSystem& fs() const { return *fs_; }
  Dentry* root() const { return root_.get(); }
  const Ref<Dentry>& root_ref() const { return root_; }
  uint64_t flags() const { return flags_; }
  bool read_only() const { return flags_ & MS_RDONLY; }
  uint64_t id() const { return id_; }

  // Where this mount is attached; both null for a namespace root.
  Mount* parent() const { return parent_.get(); }
  Dentry* mountpoint() const { return mountpoint_.get(); }

  // The mount on top of `dentry` (a dentry of this mount), or null.
  Ref<Mount> ChildAt(const Dentry* dentry) const;
  bool HasChildren() const;

 private:
  friend class MountNamespace;

  Ref<FileSystem> fs_;
  Ref<Dentry> root_;
  uint64_t flags_;
  uint64_t id_;
  Ref<Mount> parent_;
  Ref<Dentry> mountpoint_;
  // Guarded by the global mount lock (MountNamespace). Children hold their
  // parent, the namespace holds all mounts: no cycle through this map, which
  // holds raw pointers only.
  std::map<const Dentry*, Mount*> children_;
};

// A location in the mount tree: a dentry as seen through one mount.
struct VirtualDentry {
  Ref<Mount> mount;
  Ref<Dentry> dentry;

  explicit operator bool() const { return mount && dentry; }
  Inode& inode() const { return dentry->inode(); }
  bool operator==(const VirtualDentry& other) const {
    return mount == other.mount && dentry == other.dentry;
  }
};

// One line of /proc/mounts.
struct MountInfo {
  std::string path;
  std::string type;
  std::string options;
  uint64_t id = 0;
  uint64_t parent_id = 0;
};

class MountNamespace : public RefCounted {
 public:
  explicit MountNamespace(Ref<FileSystem> root_fs, uint64_t flags = 0);
  ~MountNamespace() override;

  VirtualDentry Root() const;

  // Mounts `fs` (or the subtree `fs_root` of it, for bind mounts) on `target`,
  // which must be a directory.
  ErrOr<void> MountAt(const VirtualDentry& target, Ref<FileSystem> fs, uint64_t flags,
                      Ref<Dentry> fs_root = nullptr);
  // Detaches the mount whose root `target` is: EINVAL when it is not a mount
  // root or is the namespace root, EBUSY when other mounts sit on it.
  ErrOr<void> Unmount(const VirtualDentry& target);

  std::vector<MountInfo> List() const;

 private:
  Ref<Mount> root_;
  std::vector<Ref<Mount>> mounts_;  // every mount, root first; guarded by the mount lock
};

// The global lock for mount trees (mounting is rare; walking takes it briefly).
std::mutex& MountLock();

}  // namespace cocoon::kernel::vfs
