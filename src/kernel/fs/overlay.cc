// Overlay of a tmpfs upper layer on a read-only lower layer.
#include "kernel/fs/overlay.h"

#include <dirent.h>
#include <linux/fs.h>
#include <sys/sysmacros.h>

#include <map>

#include "kernel/vfs/file.h"

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

constexpr std::string_view kOpaqueXattr = "trusted.overlay.opaque";
// Upper-only inode numbers get this bit so they never collide with the lower's.
constexpr uint64_t kUpperInoBit = uint64_t{1} << 62;

bool IsWhiteout(vfs::Inode& inode) {
  if (inode.type() != S_IFCHR) return false;
  auto st = inode.GetStat();
  return st && st->rdev == 0;
}

bool IsOpaque(vfs::Inode& inode) {
  auto v = inode.GetXattr(kOpaqueXattr);
  return v && *v == "y";
}

// A lookup where ENOENT is "absent" (null) and other errors propagate.
ErrOr<Ref<vfs::Inode>> LookupOptional(vfs::Inode& dir, std::string_view name) {
  auto r = dir.Lookup(name);
  if (!r && r.error() == -ENOENT) return Ref<vfs::Inode>();
  return r;
}

// Copies a regular file's bytes.
ErrOr<void> CopyData(vfs::Inode& from, vfs::Inode& to) {
  Ref<vfs::FileDescription> in = TRY(from.Open(O_RDONLY));
  in->Init({}, O_RDONLY);
  Ref<vfs::FileDescription> out = TRY(to.Open(O_WRONLY));
  out->Init({}, O_WRONLY);
  char buf[16384];
  for (int64_t off = 0;;) {
    int64_t n = in->PRead(buf, off);
    if (n < 0) return std::unexpected(static_cast<int>(n));
    if (n == 0) return {};
    int64_t w = out->PWrite({buf, static_cast<size_t>(n)}, off);
    if (w < 0) return std::unexpected(static_cast<int>(w));
    off += n;
  }
}

ErrOr<void> ClearWhiteouts(vfs::Inode& upper_dir) {
  std::vector<vfs::DirEntry> entries = TRY(upper_dir.ReadDir());
  for (const auto& e : entries) {
    if (e.type != DT_CHR) continue;
    Ref<vfs::Inode> child = TRY(upper_dir.Lookup(e.name));
    if (IsWhiteout(*child)) TRY(upper_dir.Unlink(e.name));
  }
  return {};
}

}  // namespace

Ref<Overlay> Overlay::Create(Ref<Tmpfs> upper, Ref<vfs::FileSystem> lower) {
  Ref<Overlay> fs(new Overlay());
  Ref<vfs::Inode> upper_root = upper->root()->inode_ref();
  Ref<vfs::Inode> lower_root = lower->root()->inode_ref();
  // The root shows the lower root's attributes.
  auto st = lower_root->GetStat();
  if (st) {
    vfs::SetStatRequest attrs;
    attrs.mode = st->mode & 07777;
    attrs.uid = st->uid;
    attrs.gid = st->gid;
    (void)upper_root->SetStat(attrs);
  }
  fs->upper_ = std::move(upper);
  fs->lower_ = std::move(lower);
  fs->SetRoot(MakeRef<OverlayInode>(*fs, std::move(upper_root), std::move(lower_root), nullptr, "", false));
  return fs;
}

OverlayInode::OverlayInode(Overlay& fs, Ref<vfs::Inode> upper, Ref<vfs::Inode> lower, Ref<OverlayInode> parent,
                           std::string name, bool opaque)
    : vfs::Inode(fs, lower ? lower->ino() : (upper->ino() | kUpperInoBit), (upper ? upper : lower)->mode(),
                 (upper ? upper : lower)->uid(), (upper ? upper : lower)->gid()),
      upper_(std::move(upper)),
      lower_(std::move(lower)),
      parent_(std::move(parent)),
      name_(std::move(name)),
      opaque_(opaque) {}

Ref<vfs::Inode> OverlayInode::Top() {
  std::lock_guard lock(overlay().layers_mutex());
  return upper_ ? upper_ : lower_;
}

bool OverlayInode::has_upper() {
  std::lock_guard lock(overlay().layers_mutex());
  return upper_ != nullptr;
}

void OverlayInode::RefreshAttributes() {
  // Permission checks read the base fields: keep them equal to the top layer's.
  Ref<vfs::Inode> top = Top();
  uint32_t mode = top->mode(), uid = top->uid(), gid = top->gid();
  std::lock_guard lock(mu_);
  mode_ = mode;
  uid_ = uid;
  gid_ = gid;
}

ErrOr<vfs::Stat> OverlayInode::GetStat() {
  vfs::Stat st = TRY(Top()->GetStat());
  st.dev = fs().dev();
  st.ino = ino();
  return st;
}

ErrOr<void> OverlayInode::SetStat(const vfs::SetStatRequest& request) {
  TRY(CopyUp());
  TRY(Top()->SetStat(request));
  RefreshAttributes();
  return {};
}

bool OverlayInode::LowerHas(std::string_view name) {
  if (!lower_ || opaque_) return false;
  return lower_->Lookup(name).has_value();
}

ErrOr<Ref<vfs::Inode>> OverlayInode::Lookup(std::string_view name) {
  if (!IsDir()) return Fail(ENOTDIR);
  std::lock_guard lock(overlay().layers_mutex());
  Ref<vfs::Inode> upper;
  if (upper_) {
    upper = TRY(LookupOptional(*upper_, name));
    if (upper && IsWhiteout(*upper)) return Fail(ENOENT);
  }
  bool opaque = upper && upper->IsDir() && IsOpaque(*upper);
  Ref<vfs::Inode> lower;
  if (lower_ && !opaque_ && (!upper || (upper->IsDir() && !opaque))) {
    lower = TRY(LookupOptional(*lower_, name));
    if (lower && upper && !lower->IsDir()) lower = nullptr;  // a file under an upper dir is hidden
  }
  if (!upper && !lower) return Fail(ENOENT);
  return Ref<vfs::Inode>(MakeRef<OverlayInode>(overlay(), std::move(upper), std::move(lower),
                                                Ref<OverlayInode>(this), std::string(name), opaque));
}

ErrOr<void> OverlayInode::CopyUp() {
  std::lock_guard lock(overlay().layers_mutex());
  return CopyUpLocked();
}

ErrOr<void> OverlayInode::CopyUpLocked() {
  if (upper_) return {};
  if (!parent_) return Fail(EIO);  // the root always has an upper layer
  TRY(parent_->CopyUpLocked());
  vfs::Stat st = TRY(lower_->GetStat());
  vfs::NodeSpec spec;
  spec.mode = st.mode;
  spec.uid = st.uid;
  spec.gid = st.gid;
  spec.rdev = st.rdev;
  if (IsSymlink()) spec.symlink_target = TRY(lower_->ReadLink());
  vfs::Inode& parent_upper = *parent_->upper_;
  Ref<vfs::Inode> upper;
  bool linked = false;
  if (TRY(LookupOptional(parent_upper, name_))) {
    // The name was removed or replaced since this inode was looked up (an
    // open file of a deleted name): the copy stays unlinked, as the file is.
    upper = overlay().upper_fs().NewInode(spec);
    upper->AdjustNlink(-1);
  } else {
    upper = TRY(parent_upper.MakeNode(name_, spec));
    linked = true;
  }
  if (IsRegular()) {
    auto copied = CopyData(*lower_, *upper);
    if (!copied) {
      if (linked) (void)parent_upper.Unlink(name_);
      return copied;
    }
  }
  vfs::SetStatRequest times;
  times.atime = st.atime;
  times.mtime = st.mtime;
  TRY(upper->SetStat(times));
  upper_ = std::move(upper);
  return {};
}

ErrOr<bool> OverlayInode::RemoveWhiteout(std::string_view name) {
  Ref<vfs::Inode> existing = TRY(LookupOptional(*upper_, name));
  if (!existing || !IsWhiteout(*existing)) return false;
  TRY(upper_->Unlink(name));
  return true;
}

ErrOr<Ref<vfs::Inode>> OverlayInode::MakeNode(std::string_view name, const vfs::NodeSpec& spec) {
  std::lock_guard lock(overlay().layers_mutex());
  TRY(CopyUpLocked());
  bool hid_lower = TRY(RemoveWhiteout(name)) || LowerHas(name);
  Ref<vfs::Inode> upper = TRY(upper_->MakeNode(name, spec));
  bool opaque = false;
  if (upper->IsDir() && hid_lower) {
    // A new directory where a lower one was deleted must not show its contents.
    TRY(upper->SetXattr(kOpaqueXattr, "y", 0));
    opaque = true;
  }
  upper_->TouchModified();
  return Ref<vfs::Inode>(
      MakeRef<OverlayInode>(overlay(), std::move(upper), nullptr, Ref<OverlayInode>(this), std::string(name), opaque));
}

ErrOr<void> OverlayInode::Link(std::string_view name, vfs::Inode& target) {
  auto* other = dynamic_cast<OverlayInode*>(&target);
  if (!other || &other->fs() != &fs()) return Fail(EXDEV);
  std::lock_guard lock(overlay().layers_mutex());
  TRY(other->CopyUpLocked());
  TRY(CopyUpLocked());
  TRY(RemoveWhiteout(name));
  return upper_->Link(name, *other->upper_);
}

ErrOr<void> OverlayInode::Unlink(std::string_view name) {
  std::lock_guard lock(overlay().layers_mutex());
  TRY(CopyUpLocked());
  bool in_lower = LowerHas(name);
  Ref<vfs::Inode> upper = TRY(LookupOptional(*upper_, name));
  if (upper && !IsWhiteout(*upper)) {
    // The vfs checked the merged directory is empty; only whiteouts remain.
    if (upper->IsDir()) TRY(ClearWhiteouts(*upper));
    TRY(upper_->Unlink(name));
  }
  if (in_lower) {
    vfs::NodeSpec whiteout;
    whiteout.mode = S_IFCHR;
    TRY(upper_->MakeNode(name, whiteout));
  }
  return {};
}

ErrOr<void> OverlayInode::Rename(std::string_view old_name, vfs::Inode& renamed, vfs::Inode& new_dir_inode,
                                 std::string_view new_name, uint32_t flags) {
  auto* moved = dynamic_cast<OverlayInode*>(&renamed);
  auto* new_dir = dynamic_cast<OverlayInode*>(&new_dir_inode);
  if (!moved || !new_dir || &new_dir->fs() != &fs()) return Fail(EXDEV);
  if (flags & RENAME_EXCHANGE) return Fail(EINVAL);  // not supported on this overlay
  std::lock_guard lock(overlay().layers_mutex());
  if (moved->IsDir() && moved->lower_) return Fail(EXDEV);
  TRY(moved->CopyUpLocked());
  TRY(CopyUpLocked());
  TRY(new_dir->CopyUpLocked());
  bool hides_lower = TRY(new_dir->RemoveWhiteout(new_name)) || new_dir->LowerHas(new_name);
  Ref<vfs::Inode> replaced = TRY(LookupOptional(*new_dir->upper_, new_name));
  if (replaced && replaced->IsDir()) TRY(ClearWhiteouts(*replaced));
  bool old_in_lower = LowerHas(old_name);
  TRY(upper_->Rename(old_name, *moved->upper_, *new_dir->upper_, new_name, flags));
  if (moved->IsDir() && hides_lower) TRY(moved->upper_->SetXattr(kOpaqueXattr, "y", 0));
  if (old_in_lower) {
    vfs::NodeSpec whiteout;
    whiteout.mode = S_IFCHR;
    TRY(upper_->MakeNode(old_name, whiteout));
  }
  return {};
}

ErrOr<std::vector<vfs::DirEntry>> OverlayInode::ReadDir() {
  if (!IsDir()) return Fail(ENOTDIR);
  std::lock_guard lock(overlay().layers_mutex());
  std::map<std::string, vfs::DirEntry> merged;
  std::map<std::string, bool> whiteouts;
  if (upper_) {
    for (auto& e : TRY(upper_->ReadDir())) {
      if (e.type == DT_CHR) {
        Ref<vfs::Inode> child = TRY(upper_->Lookup(e.name));
        if (IsWhiteout(*child)) {
          whiteouts[e.name] = true;
          continue;
        }
      }
      e.ino |= kUpperInoBit;
      merged.emplace(e.name, std::move(e));
    }
  }
  if (lower_ && !opaque_) {
    for (auto& e : TRY(lower_->ReadDir())) {
      if (whiteouts.contains(e.name)) continue;
      auto it = merged.find(e.name);
      if (it != merged.end()) {
        if (it->second.type == DT_DIR && e.type == DT_DIR) it->second.ino = e.ino;  // merged dir: lower's ino
        continue;
      }
      merged.emplace(e.name, std::move(e));
    }
  }
  std::vector<vfs::DirEntry> out;
  out.reserve(merged.size());
  for (auto& [name, e] : merged) out.push_back(std::move(e));
  return out;
}

ErrOr<std::string> OverlayInode::ReadLink() { return Top()->ReadLink(); }

ErrOr<Ref<vfs::FileDescription>> OverlayInode::Open(int flags) {
  int acc = flags & O_ACCMODE;
  if (acc != O_RDONLY || (flags & O_TRUNC)) TRY(CopyUp());
  return Top()->Open(flags);
}

}  // namespace cocoon::kernel::fs
