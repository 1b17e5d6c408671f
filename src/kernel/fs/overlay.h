// overlay: a writable tmpfs upper layer over a read-only lower file system
// (the container root), so the guest can write anywhere under / and nothing
// reaches the host. Files are copied up on their first change; deletions of
// lower names leave whiteouts (char device 0:0) in the upper layer; a
// directory that hides its lower twin is marked opaque (trusted.overlay.opaque).
//
// Known limits, as Linux's overlayfs without redirect_dir/index: renaming a
// directory that has a lower part fails with EXDEV (mv falls back to copying),
// and hard links of lower files break apart on copy-up.
#pragma once

#include <mutex>
#include <string>

#include "kernel/fs/tmpfs.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::fs {

class OverlayInode;

class Overlay : public vfs::FileSystem {
 public:
  // `upper` must be private to this overlay; `lower` is never written.
  static Ref<Overlay> Create(Ref<Tmpfs> upper, Ref<vfs::FileSystem> lower);

  std::string_view type() const override { return "overlay"; }

  // Guards every OverlayInode's layers and copy-up (recursive: copy-up of a
  // file copies up its parents first).
  std::recursive_mutex& layers_mutex() { return layers_mu_; }
  Tmpfs& upper_fs() { return *upper_; }

 private:
  Overlay() = default;
  Ref<Tmpfs> upper_;
  Ref<vfs::FileSystem> lower_;
  std::recursive_mutex layers_mu_;
};

class OverlayInode : public vfs::Inode {
 public:
  OverlayInode(Overlay& fs, Ref<vfs::Inode> upper, Ref<vfs::Inode> lower, Ref<OverlayInode> parent,
               std::string name, bool opaque);

  ErrOr<vfs::Stat> GetStat() override;
  ErrOr<void> SetStat(const vfs::SetStatRequest& request) override;
  ErrOr<Ref<vfs::Inode>> Lookup(std::string_view name) override;
  ErrOr<Ref<vfs::Inode>> MakeNode(std::string_view name, const vfs::NodeSpec& spec) override;
  ErrOr<void> Link(std::string_view name, vfs::Inode& target) override;
  ErrOr<void> Unlink(std::string_view name) override;
  ErrOr<void> Rename(std::string_view old_name, vfs::Inode& renamed, vfs::Inode& new_dir,
                     std::string_view new_name, uint32_t flags) override;
  ErrOr<std::vector<vfs::DirEntry>> ReadDir() override;
  ErrOr<std::string> ReadLink() override;
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;

  // Makes sure this inode has an upper copy (and so do its parents).
  ErrOr<void> CopyUp();
  bool has_upper();

 private:
  Overlay& overlay() { return static_cast<Overlay&>(fs()); }
  // The layer that answers reads: upper when present.
  Ref<vfs::Inode> Top();
  // Whether the lower twin of this directory has `name` (and is not hidden).
  bool LowerHas(std::string_view name);
  // Drops a whiteout at `name` in the upper directory; true when one was there.
  ErrOr<bool> RemoveWhiteout(std::string_view name);
  ErrOr<void> CopyUpLocked();
  void RefreshAttributes();

  Ref<vfs::Inode> upper_;  // guarded by the overlay's layers_mutex()
  const Ref<vfs::Inode> lower_;
  const Ref<OverlayInode> parent_;  // for copy-up; null for the root
  const std::string name_;          // name in parent_ when looked up
  const bool opaque_;
};

}  // namespace cocoon::kernel::fs
