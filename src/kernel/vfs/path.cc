// Path walking through the dentry cache and mount tree.
#include "kernel/vfs/path.h"

#include <algorithm>
#include <vector>

#include "kernel/vfs/magic_link.h"

namespace cocoon::kernel::vfs {

namespace {

std::vector<std::string_view> SplitComponents(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// ".." from `vd`: up through mount roots, never above `root`.
VirtualDentry Parent(const VirtualDentry& root, VirtualDentry vd) {
  for (;;) {
    if (vd == root) return vd;
    if (vd.dentry.get() != vd.mount->root()) break;
    if (!vd.mount->parent()) return vd;  // top of the mount tree
    vd = {Ref<Mount>(vd.mount->parent()), Ref<Dentry>(vd.mount->mountpoint())};
  }
  Ref<Dentry> parent;
  {
    std::lock_guard lock(vd.inode().fs().tree_mutex());
    parent = Ref<Dentry>(vd.dentry->parent());
  }
  if (!parent) return vd;  // removed directory: stays put, as lookups in it fail
  return CrossMounts({vd.mount, std::move(parent)});
}

// A directory component in the middle of a path: follows a symlink and
// requires a directory.
ErrOr<VirtualDentry> WalkComponent(const PathContext& ctx, const VirtualDentry& dir, std::string_view name,
                                   int* symlinks) {
  VirtualDentry child = TRY(LookupChild(ctx, dir, name));
  if (child.inode().IsSymlink()) child = TRY(FollowLink(ctx, dir, child, symlinks));
  if (!child.inode().IsDir()) return Fail(ENOTDIR);
  return child;
}

}  // namespace

VirtualDentry CrossMounts(VirtualDentry vd) {
  while (Ref<Mount> top = vd.mount->ChildAt(vd.dentry.get())) {
    Ref<Dentry> root = top->root_ref();
    vd = {std::move(top), std::move(root)};
  }
  return vd;
}

ErrOr<Ref<Dentry>> LookupDentry(const PathContext& ctx, const VirtualDentry& dir, std::string_view name) {
  if (!dir.inode().IsDir()) return Fail(ENOTDIR);
  if (int err = CheckPermission(dir.inode(), ctx.creds, kMayExec)) return std::unexpected(err);
  if (name.size() > kNameMax) return Fail(ENAMETOOLONG);
  std::lock_guard lock(dir.inode().fs().tree_mutex());
  if (dir.dentry->deleted()) return Fail(ENOENT);
  Dentry* cached = dir.dentry->FindChild(name);
  if (cached && !dir.inode().fs().caches_dentries()) {
    // Revalidate: the name may have gone (a process exited). A name that is
    // still there keeps its dentry, so open files and cwds under it stay put.
    auto fresh = dir.inode().Lookup(name);
    if (!fresh) {
      dir.dentry->DetachChild(name);
      return std::unexpected(fresh.error());
    }
  }
  if (!cached) {
    Ref<Inode> inode = TRY(dir.inode().Lookup(name));
    cached = dir.dentry->AddChild(std::string(name), std::move(inode));
  }
  return Ref<Dentry>(cached);
}

ErrOr<VirtualDentry> LookupChild(const PathContext& ctx, const VirtualDentry& dir, std::string_view name) {
  if (name == "." || name == "..") {
    if (!dir.inode().IsDir()) return Fail(ENOTDIR);
    if (int err = CheckPermission(dir.inode(), ctx.creds, kMayExec)) return std::unexpected(err);
    return name == "." ? dir : Parent(ctx.root, dir);
  }
  Ref<Dentry> child = TRY(LookupDentry(ctx, dir, name));
  return CrossMounts({dir.mount, std::move(child)});
}

ErrOr<VirtualDentry> FollowLink(const PathContext& ctx, const VirtualDentry& dir, const VirtualDentry& link,
                                int* symlinks) {
  if (++*symlinks > kMaxSymlinks) return Fail(ELOOP);
  if (Ref<FileDescription> file = TRY(link.inode().MagicLinkFile())) return MagicLinkTarget(link.mount, std::move(file));
  std::string target = TRY(link.inode().ReadLink());
  if (target.empty()) return Fail(ENOENT);
  PathContext sub = ctx;
  sub.start = dir;
  return Resolve(sub, target, /*follow_final=*/true, symlinks);
}

ErrOr<ParentAndName> ResolveParent(const PathContext& ctx, std::string_view path, int* symlinks) {
  if (path.empty()) return Fail(ENOENT);
  if (path.size() >= kPathMax) return Fail(ENAMETOOLONG);
  VirtualDentry cur = path.front() == '/' ? ctx.root : ctx.start;
  std::vector<std::string_view> components = SplitComponents(path);
  ParentAndName out;
  out.trailing_slash = path.back() == '/';
  if (components.empty()) {
    out.parent = std::move(cur);
    return out;
  }
  for (size_t i = 0; i + 1 < components.size(); ++i) {
    cur = TRY(WalkComponent(ctx, cur, components[i], symlinks));
  }
  if (!cur.inode().IsDir()) return Fail(ENOTDIR);
  out.parent = std::move(cur);
  out.name = std::string(components.back());
  return out;
}

ErrOr<VirtualDentry> Resolve(const PathContext& ctx, std::string_view path, bool follow_final, int* symlinks) {
  int local = 0;
  if (!symlinks) symlinks = &local;
  ParentAndName p = TRY(ResolveParent(ctx, path, symlinks));
  if (p.name.empty()) return p.parent;
  VirtualDentry child = TRY(LookupChild(ctx, p.parent, p.name));
  if (child.inode().IsSymlink() && (follow_final || p.trailing_slash)) {
    child = TRY(FollowLink(ctx, p.parent, child, symlinks));
  }
  if (p.trailing_slash && !child.inode().IsDir()) return Fail(ENOTDIR);
  return child;
}

ErrOr<std::string> PathOf(const VirtualDentry& root, const VirtualDentry& target) {
  std::vector<std::string> names;
  VirtualDentry vd = target;
  bool deleted = false;
  for (;;) {
    if (vd == root) break;
    if (vd.dentry.get() == vd.mount->root()) {
      if (!vd.mount->parent()) break;
      vd = {Ref<Mount>(vd.mount->parent()), Ref<Dentry>(vd.mount->mountpoint())};
      continue;
    }
    std::lock_guard lock(vd.inode().fs().tree_mutex());
    Dentry* parent = vd.dentry->parent();
    if (!parent) {
      deleted = vd.dentry->deleted();
      names.push_back(vd.dentry->name());
      break;
    }
    names.push_back(vd.dentry->name());
    vd.dentry = Ref<Dentry>(parent);
  }
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    out.push_back('/');
    out.append(*it);
  }
  if (out.empty()) out.push_back('/');
  if (deleted) out += " (deleted)";
  return out;
}

}  // namespace cocoon::kernel::vfs
