// Inode and FileSystem: the interfaces every file system (tmpfs, hostdir,
// overlay, dev, proc) implements. The vfs above them does path walking,
// permission and type checks, and the dentry cache; inodes do the storage.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/vfs/errno_or.h"
#include "kernel/vfs/ref.h"
#include "kernel/vfs/types.h"

namespace cocoon::kernel::vfs {

class Dentry;
class FileDescription;
class FileSystem;

// What to create in a directory: one entry point for files, directories,
// symlinks, device nodes, fifos and sockets.
struct NodeSpec {
  uint32_t mode = 0;  // file type and permission bits (umask already applied)
  uint64_t rdev = 0;  // for S_IFCHR/S_IFBLK
  std::string symlink_target;  // for S_IFLNK
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class Inode : public RefCounted {
 public:
  Inode(FileSystem& fs, uint64_t ino, uint32_t mode, uint32_t uid, uint32_t gid, uint64_t rdev = 0);

  FileSystem& fs() const { return *fs_; }
  uint64_t ino() const { return ino_; }
  uint32_t type() const { return type_; }  // S_IFMT bits; never change
  bool IsDir() const { return type_ == S_IFDIR; }
  bool IsSymlink() const { return type_ == S_IFLNK; }
  bool IsRegular() const { return type_ == S_IFREG; }
  uint32_t mode() const;  // current type and permission bits
  uint32_t uid() const;
  uint32_t gid() const;

  // Metadata. The defaults use the fields below (memory file systems).
  virtual ErrOr<Stat> GetStat();
  virtual ErrOr<void> SetStat(const SetStatRequest& request);

  // Directory operations; the defaults fail with ENOTDIR. The vfs has already
  // checked permissions, names (not "", ".", ".."), existence and types, and
  // holds fs().tree_mutex().
  virtual ErrOr<Ref<Inode>> Lookup(std::string_view name);
  virtual ErrOr<Ref<Inode>> MakeNode(std::string_view name, const NodeSpec& spec);
  virtual ErrOr<void> Link(std::string_view name, Inode& target);
  virtual ErrOr<void> Unlink(std::string_view name);  // files and (empty) directories
  // Moves `old_name` (whose inode is `renamed`) to `new_name` in `new_dir`.
  virtual ErrOr<void> Rename(std::string_view old_name, Inode& renamed, Inode& new_dir,
                             std::string_view new_name,
                             uint32_t flags);  // RENAME_NOREPLACE / RENAME_EXCHANGE
  virtual ErrOr<std::vector<DirEntry>> ReadDir();

  // Symlinks: the target; EINVAL for other types.
  virtual ErrOr<std::string> ReadLink();
  // A magic link (/proc/<pid>/fd/N): the open file following it reaches
  // instead of its target path; null for ordinary symlinks.
  virtual ErrOr<Ref<FileDescription>> MagicLinkFile();

  // A new open file for this inode. `flags` are open(2) flags; the vfs sets
  // the file's location and flags afterwards. Default: ENXIO.
  virtual ErrOr<Ref<FileDescription>> Open(int flags);

  // Extended attributes; default EOPNOTSUPP.
  virtual ErrOr<std::string> GetXattr(std::string_view name);
  virtual ErrOr<void> SetXattr(std::string_view name, std::string_view value, int flags);
  virtual ErrOr<std::vector<std::string>> ListXattr();
  virtual ErrOr<void> RemoveXattr(std::string_view name);

  // Link count changes by the file system that owns the inode.
  void AdjustNlink(int delta);
  // Sets mtime and ctime to now (a directory or file whose content changed).
  void TouchModified();

 protected:
  // File size for the default GetStat; called with mu_ held.
  virtual int64_t SizeLocked() const { return 0; }
  // st_blocks (512-byte units) for the default GetStat; called with mu_ held.
  virtual int64_t BlocksLocked() const { return 0; }
  // Changes the size for the default SetStat; called with mu_ held.
  virtual ErrOr<void> TruncateLocked(int64_t size);

  mutable std::mutex mu_;  // metadata below and file system data of subclasses
  uint32_t mode_;
  uint32_t uid_;
  uint32_t gid_;
  uint32_t nlink_;
  uint64_t rdev_;
  timespec atime_;
  timespec mtime_;
  timespec ctime_;

 private:
  FileSystem* fs_;  // a file system outlives its inodes (mounts hold it)
  uint64_t ino_;
  uint32_t type_;
};

// Permission check as Linux's generic_permission: owner, group, other bits;
// a privileged caller may read and write anything and execute anything with
// an x bit (directories always).
int CheckPermission(const Inode& inode, const Creds& creds, int may);

class FileSystem : public RefCounted {
 public:
  // "tmpfs", "overlay", ... as /proc/mounts shows it.
  virtual std::string_view type() const = 0;
  // Mount options for /proc/mounts.
  virtual std::string options() const { return "rw"; }
  // False for file systems whose names change behind the vfs's back (proc):
  // every lookup of a cached name asks the file system again.
  virtual bool caches_dentries() const { return true; }

  uint64_t dev() const { return dev_; }
  Dentry* root() const { return root_.get(); }
  const Ref<Dentry>& root_ref() const { return root_; }
  uint64_t NextIno() { return next_ino_.fetch_add(1); }

  // Serialises changes to this file system's names (lookups into the dentry
  // cache, create, unlink, rename). Data and metadata use per-inode locks.
  std::mutex& tree_mutex() const { return tree_mu_; }

 protected:
  FileSystem();
  ~FileSystem() override;
  void SetRoot(Ref<Inode> root);

 private:
  uint64_t dev_;
  std::atomic<uint64_t> next_ino_{1};
  mutable std::mutex tree_mu_;
  Ref<Dentry> root_;
};

}  // namespace cocoon::kernel::vfs
