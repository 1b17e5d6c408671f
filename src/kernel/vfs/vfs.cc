// Path-based file operations with Linux's order of checks.
#include "kernel/vfs/vfs.h"

#include <linux/fs.h>
#include <unistd.h>

#include "kernel/vfs/magic_link.h"

namespace cocoon::kernel::vfs {

FsContext::FsContext(VirtualDentry root, VirtualDentry cwd, uint32_t umask)
    : root_(std::move(root)), cwd_(std::move(cwd)), umask_(umask & 0777) {}

VirtualDentry FsContext::root() const {
  std::lock_guard lock(mu_);
  return root_;
}
VirtualDentry FsContext::cwd() const {
  std::lock_guard lock(mu_);
  return cwd_;
}
uint32_t FsContext::umask() const {
  std::lock_guard lock(mu_);
  return umask_;
}
uint32_t FsContext::SetUmask(uint32_t umask) {
  std::lock_guard lock(mu_);
  return std::exchange(umask_, umask & 0777);
}
void FsContext::SetRoot(VirtualDentry root) {
  std::lock_guard lock(mu_);
  root_ = std::move(root);
}
void FsContext::SetCwd(VirtualDentry cwd) {
  std::lock_guard lock(mu_);
  cwd_ = std::move(cwd);
}
Ref<FsContext> FsContext::Clone() const {
  std::lock_guard lock(mu_);
  return MakeRef<FsContext>(root_, cwd_, umask_);
}

ErrOr<PathContext> ContextAt(const FsContext& fs, const FdTable& fds, int dirfd, std::string_view path,
                             const Creds& creds) {
  PathContext ctx{fs.root(), fs.cwd(), creds};
  if ((!path.empty() && path.front() == '/') || dirfd == AT_FDCWD) return ctx;
  Ref<FileDescription> file = fds.Get(dirfd);
  if (!file) return Fail(EBADF);
  if (!file->location()) return Fail(ENOTDIR);  // pipes, sockets
  // An empty path (AT_EMPTY_PATH) names the dirfd itself, whatever it is.
  if (!path.empty() && !file->location().inode().IsDir()) return Fail(ENOTDIR);
  ctx.start = file->location();
  return ctx;
}

namespace {

// The checks every change to a directory's entries makes.
ErrOr<void> CheckDirWritable(const PathContext& ctx, const VirtualDentry& dir) {
  if (dir.mount->read_only()) return Fail(EROFS);
  if (int err = CheckPermission(dir.inode(), ctx.creds, kMayWrite | kMayExec)) return std::unexpected(err);
  return {};
}

// Whether `name` exists in `dir` (ENOENT is "no", other errors propagate).
ErrOr<bool> Exists(const PathContext& ctx, const VirtualDentry& dir, std::string_view name) {
  auto child = LookupDentry(ctx, dir, name);
  if (child) return true;
  if (child.error() == -ENOENT) return false;
  return std::unexpected(child.error());
}

// Creates `p.name` in `p.parent` and caches it.
ErrOr<VirtualDentry> CreateIn(const PathContext& ctx, const ParentAndName& p, NodeSpec spec) {
  TRY(CheckDirWritable(ctx, p.parent));
  spec.uid = ctx.creds.uid;
  spec.gid = ctx.creds.gid;
  if (p.parent.inode().mode() & S_ISGID) {
    // BSD group semantics under a setgid directory; subdirectories inherit it.
    spec.gid = p.parent.inode().gid();
    if ((spec.mode & S_IFMT) == S_IFDIR) spec.mode |= S_ISGID;
  }
  Ref<Dentry> created;
  {
    std::lock_guard lock(p.parent.inode().fs().tree_mutex());
    if (p.parent.dentry->deleted()) return Fail(ENOENT);
    if (p.parent.dentry->FindChild(p.name)) return Fail(EEXIST);
    Ref<Inode> inode = TRY(p.parent.inode().MakeNode(p.name, spec));
    created = Ref<Dentry>(p.parent.dentry->AddChild(p.name, std::move(inode)));
  }
  return VirtualDentry{p.parent.mount, std::move(created)};
}

// Resolution and existence checks shared by mkdir, mknod and symlink.
ErrOr<void> CreateAt(const PathContext& ctx, std::string_view path, NodeSpec spec) {
  int symlinks = 0;
  ParentAndName p = TRY(ResolveParent(ctx, path, &symlinks));
  if (p.name.empty() || p.IsDotOrDotDot()) return Fail(EEXIST);
  if (TRY(Exists(ctx, p.parent, p.name))) return Fail(EEXIST);
  if (p.trailing_slash && (spec.mode & S_IFMT) != S_IFDIR) return Fail(ENOENT);
  TRY(CreateIn(ctx, p, std::move(spec)));
  return {};
}

bool IsMountpoint(const VirtualDentry& dir, const Dentry* child) { return dir.mount->ChildAt(child) != nullptr; }

ErrOr<bool> IsEmptyDir(Inode& dir) {
  std::vector<DirEntry> entries = TRY(dir.ReadDir());
  return entries.empty();
}

}  // namespace

ErrOr<Ref<FileDescription>> OpenLocation(const PathContext& ctx, const VirtualDentry& target, int flags,
                                         bool just_created) {
  Inode& inode = target.inode();
  if (flags & O_PATH) {
    if ((flags & O_DIRECTORY) && !inode.IsDir()) return Fail(ENOTDIR);
    auto file = MakeRef<PathFile>();
    file->Init(target, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW));
    return Ref<FileDescription>(file);
  }
  if (inode.IsSymlink()) return Fail(ELOOP);  // reached only with O_NOFOLLOW
  if ((flags & O_DIRECTORY) && !inode.IsDir()) return Fail(ENOTDIR);
  int acc = flags & O_ACCMODE;
  bool write = acc == O_WRONLY || acc == O_RDWR;
  if (inode.IsDir() && (write || (flags & O_TRUNC))) return Fail(EISDIR);
  if (!just_created) {
    int may = (acc == O_RDONLY || acc == O_RDWR ? kMayRead : 0) | (write || (flags & O_TRUNC) ? kMayWrite : 0);
    if (int err = CheckPermission(inode, ctx.creds, may)) return std::unexpected(err);
  }
  bool data_file = inode.IsRegular() || inode.IsDir();
  if (data_file && (write || (flags & O_TRUNC)) && target.mount->read_only()) return Fail(EROFS);
  Ref<FileDescription> file;
  if (inode.IsDir()) {
    file = MakeRef<DirectoryFile>();
  } else {
    file = TRY(inode.Open(flags));
  }
  if ((flags & O_TRUNC) && inode.IsRegular()) {
    SetStatRequest truncate;
    truncate.size = 0;
    TRY(inode.SetStat(truncate));
  }
  file->Init(target, flags);
  return file;
}

ErrOr<Ref<FileDescription>> Open(const PathContext& ctx, std::string_view path, int flags, uint32_t mode,
                                 uint32_t umask) {
  if (!(flags & O_CREAT)) {
    VirtualDentry target = TRY(Resolve(ctx, path, !(flags & O_NOFOLLOW)));
    return OpenLocation(ctx, target, flags);
  }
  if (flags & O_DIRECTORY) return Fail(EINVAL);  // O_CREAT|O_DIRECTORY, as Linux 6.4+
  // O_CREAT: walk to the parent, then create, or follow a final symlink
  // (creating its target when it dangles, as Linux does).
  PathContext cur = ctx;
  std::string cur_path(path);
  int symlinks = 0;
  for (;;) {
    ParentAndName p = TRY(ResolveParent(cur, cur_path, &symlinks));
    if (p.name.empty() || p.IsDotOrDotDot() || p.trailing_slash) return Fail(EISDIR);
    auto child = LookupChild(cur, p.parent, p.name);
    if (!child && child.error() != -ENOENT) return std::unexpected(child.error());
    if (!child) {
      NodeSpec spec;
      spec.mode = S_IFREG | (mode & ~umask & 07777);
      VirtualDentry created = TRY(CreateIn(cur, p, spec));
      return OpenLocation(ctx, created, flags, /*just_created=*/true);
    }
    if (flags & O_EXCL) return Fail(EEXIST);
    if (!child->inode().IsSymlink() || (flags & O_NOFOLLOW)) return OpenLocation(ctx, *child, flags);
    if (++symlinks > kMaxSymlinks) return Fail(ELOOP);
    if (Ref<FileDescription> file = TRY(child->inode().MagicLinkFile())) {
      return OpenLocation(ctx, TRY(MagicLinkTarget(child->mount, std::move(file))), flags & ~O_EXCL);
    }
    cur_path = TRY(child->inode().ReadLink());
    if (cur_path.empty()) return Fail(ENOENT);
    cur.start = p.parent;
  }
}

ErrOr<void> MakeDirectory(const PathContext& ctx, std::string_view path, uint32_t mode, uint32_t umask) {
  NodeSpec spec;
  spec.mode = S_IFDIR | (mode & ~umask & 07777);
  return CreateAt(ctx, path, spec);
}

ErrOr<void> MakeNode(const PathContext& ctx, std::string_view path, uint32_t mode, uint64_t dev,
                     uint32_t umask) {
  uint32_t type = mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  if (type == S_IFDIR) return Fail(EPERM);
  if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK) {
    return Fail(EINVAL);
  }
  if ((type == S_IFCHR || type == S_IFBLK) && !ctx.creds.privileged()) return Fail(EPERM);
  NodeSpec spec;
  spec.mode = type | (mode & ~umask & 07777);
  spec.rdev = dev;
  return CreateAt(ctx, path, spec);
}

ErrOr<void> MakeSymlink(const PathContext& ctx, std::string_view target, std::string_view path) {
  if (target.empty()) return Fail(ENOENT);
  if (target.size() >= kPathMax) return Fail(ENAMETOOLONG);
  NodeSpec spec;
  spec.mode = S_IFLNK | 0777;
  spec.symlink_target = std::string(target);
  return CreateAt(ctx, path, spec);
}

ErrOr<void> MakeLink(const PathContext& old_ctx, std::string_view old_path, const PathContext& new_ctx,
                     std::string_view new_path, bool follow) {
  VirtualDentry old = TRY(Resolve(old_ctx, old_path, follow));
  int symlinks = 0;
  ParentAndName p = TRY(ResolveParent(new_ctx, new_path, &symlinks));
  if (p.name.empty() || p.IsDotOrDotDot()) return Fail(EEXIST);
  if (TRY(Exists(new_ctx, p.parent, p.name))) return Fail(EEXIST);
  if (p.trailing_slash) return Fail(ENOENT);
  if (old.mount != p.parent.mount) return Fail(EXDEV);
  if (old.inode().IsDir()) return Fail(EPERM);
  TRY(CheckDirWritable(new_ctx, p.parent));
  std::lock_guard lock(p.parent.inode().fs().tree_mutex());
  if (p.parent.dentry->deleted()) return Fail(ENOENT);
  TRY(p.parent.inode().Link(p.name, old.inode()));
  p.parent.dentry->AddChild(p.name, old.dentry->inode_ref());
  return {};
}

ErrOr<void> Unlink(const PathContext& ctx, std::string_view path) {
  int symlinks = 0;
  ParentAndName p = TRY(ResolveParent(ctx, path, &symlinks));
  if (p.name.empty() || p.IsDotOrDotDot()) return Fail(EISDIR);
  Ref<Dentry> child = TRY(LookupDentry(ctx, p.parent, p.name));
  if (child->inode().IsDir()) return Fail(EISDIR);
  if (p.trailing_slash) return Fail(ENOTDIR);
  TRY(CheckDirWritable(ctx, p.parent));
  if (IsMountpoint(p.parent, child.get())) return Fail(EBUSY);
  std::lock_guard lock(p.parent.inode().fs().tree_mutex());
  TRY(p.parent.inode().Unlink(p.name));
  p.parent.dentry->DetachChild(p.name);
  return {};
}

ErrOr<void> RemoveDirectory(const PathContext& ctx, std::string_view path) {
  int symlinks = 0;
  ParentAndName p = TRY(ResolveParent(ctx, path, &symlinks));
  if (p.name.empty()) return Fail(EBUSY);
  if (p.name == ".") return Fail(EINVAL);
  if (p.name == "..") return Fail(ENOTEMPTY);
  Ref<Dentry> child = TRY(LookupDentry(ctx, p.parent, p.name));
  if (!child->inode().IsDir()) return Fail(ENOTDIR);
  TRY(CheckDirWritable(ctx, p.parent));
  if (IsMountpoint(p.parent, child.get())) return Fail(EBUSY);
  VirtualDentry victim{p.parent.mount, child};
  if (victim == ctx.root) return Fail(EBUSY);
  std::lock_guard lock(p.parent.inode().fs().tree_mutex());
  if (!TRY(IsEmptyDir(child->inode()))) return Fail(ENOTEMPTY);
  TRY(p.parent.inode().Unlink(p.name));
  p.parent.dentry->DetachChild(p.name);
  return {};
}

ErrOr<void> Rename(const PathContext& old_ctx, std::string_view old_path, const PathContext& new_ctx,
                   std::string_view new_path, uint32_t flags) {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Fail(EINVAL);
  if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) return Fail(EINVAL);
  int symlinks = 0;
  ParentAndName from = TRY(ResolveParent(old_ctx, old_path, &symlinks));
  symlinks = 0;
  ParentAndName to = TRY(ResolveParent(new_ctx, new_path, &symlinks));
  if (from.name.empty() || from.IsDotOrDotDot() || to.name.empty() || to.IsDotOrDotDot()) return Fail(EBUSY);
  if (from.parent.mount != to.parent.mount) return Fail(EXDEV);
  Ref<Dentry> src = TRY(LookupDentry(old_ctx, from.parent, from.name));
  auto dst_or = LookupDentry(new_ctx, to.parent, to.name);
  if (!dst_or && dst_or.error() != -ENOENT) return std::unexpected(dst_or.error());
  Ref<Dentry> dst = dst_or ? *dst_or : nullptr;

  bool src_dir = src->inode().IsDir();
  if (!src_dir && (from.trailing_slash || to.trailing_slash)) return Fail(ENOTDIR);
  if (dst) {
    if (flags & RENAME_NOREPLACE) return Fail(EEXIST);
    if (dst.get() == src.get() || &dst->inode() == &src->inode()) return {};  // same file: nothing to do
    if (!(flags & RENAME_EXCHANGE)) {
      bool dst_dir = dst->inode().IsDir();
      if (src_dir && !dst_dir) return Fail(ENOTDIR);
      if (!src_dir && dst_dir) return Fail(EISDIR);
    }
  } else if (flags & RENAME_EXCHANGE) {
    return Fail(ENOENT);
  }
  TRY(CheckDirWritable(old_ctx, from.parent));
  TRY(CheckDirWritable(new_ctx, to.parent));
  if (IsMountpoint(from.parent, src.get()) || (dst && IsMountpoint(to.parent, dst.get()))) return Fail(EBUSY);

  std::lock_guard lock(from.parent.inode().fs().tree_mutex());
  // A directory cannot move below itself (checked under the lock: renames
  // elsewhere could change the ancestry).
  if (src_dir && to.parent.dentry->IsDescendantOf(src.get())) return Fail(EINVAL);
  if (dst && (flags & RENAME_EXCHANGE) && dst->inode().IsDir() &&
      from.parent.dentry->IsDescendantOf(dst.get())) {
    return Fail(EINVAL);
  }
  if (dst && dst->inode().IsDir() && !(flags & RENAME_EXCHANGE) && !TRY(IsEmptyDir(dst->inode()))) {
    return Fail(ENOTEMPTY);
  }
  if (from.parent.dentry->deleted() || to.parent.dentry->deleted()) return Fail(ENOENT);
  TRY(from.parent.inode().Rename(from.name, src->inode(), to.parent.inode(), to.name, flags));
  if (flags & RENAME_EXCHANGE) {
    // Swap the two cached names: park dst, move src over, put dst back.
    Ref<Dentry> parked = dst;
    to.parent.dentry->DetachChild(to.name);
    from.parent.dentry->MoveChild(from.name, *to.parent.dentry, to.name);
    from.parent.dentry->AddChild(from.name, parked->inode_ref());
  } else {
    from.parent.dentry->MoveChild(from.name, *to.parent.dentry, to.name);
  }
  return {};
}

ErrOr<std::string> ReadLink(const PathContext& ctx, std::string_view path) {
  VirtualDentry vd = TRY(Resolve(ctx, path, /*follow_final=*/false));
  if (!vd.inode().IsSymlink()) return Fail(EINVAL);
  return vd.inode().ReadLink();
}

ErrOr<Stat> StatPath(const PathContext& ctx, std::string_view path, bool follow) {
  VirtualDentry vd = TRY(Resolve(ctx, path, follow));
  return vd.inode().GetStat();
}

ErrOr<void> CheckSetStat(const Inode& inode, const Creds& creds, const SetStatRequest& request) {
  bool owner = creds.privileged() || creds.uid == inode.uid();
  if (request.size) {
    if (inode.IsDir()) return Fail(EISDIR);
    if (!inode.IsRegular()) return Fail(EINVAL);
    if (*request.size < 0) return Fail(EINVAL);
    if (int err = CheckPermission(inode, creds, kMayWrite)) return std::unexpected(err);
  }
  if (request.mode && !owner) return Fail(EPERM);
  if ((request.atime || request.mtime) && !owner) return Fail(EPERM);
  if (!creds.privileged()) {
    if (request.uid && *request.uid != inode.uid()) return Fail(EPERM);
    if (request.gid && (!owner || !creds.InGroup(*request.gid))) return Fail(EPERM);
  }
  return {};
}

ErrOr<void> SetStatPath(const PathContext& ctx, std::string_view path, bool follow,
                        const SetStatRequest& request) {
  VirtualDentry vd = TRY(Resolve(ctx, path, follow));
  TRY(CheckSetStat(vd.inode(), ctx.creds, request));
  if (vd.mount->read_only()) return Fail(EROFS);
  return vd.inode().SetStat(request);
}

ErrOr<void> CheckAccess(const PathContext& ctx, std::string_view path, int mode, bool follow) {
  if (mode & ~(R_OK | W_OK | X_OK)) return Fail(EINVAL);
  VirtualDentry vd = TRY(Resolve(ctx, path, follow));
  if (mode == F_OK) return {};
  bool data_file = vd.inode().IsRegular() || vd.inode().IsDir() || vd.inode().IsSymlink();
  if ((mode & W_OK) && data_file && vd.mount->read_only()) return Fail(EROFS);
  // R_OK/W_OK/X_OK have the values of kMayRead/kMayWrite/kMayExec.
  if (int err = CheckPermission(vd.inode(), ctx.creds, mode)) return std::unexpected(err);
  return {};
}

ErrOr<void> ChangeDirectory(FsContext& fs, const PathContext& ctx, std::string_view path) {
  VirtualDentry vd = TRY(Resolve(ctx, path, true));
  if (!vd.inode().IsDir()) return Fail(ENOTDIR);
  if (int err = CheckPermission(vd.inode(), ctx.creds, kMayExec)) return std::unexpected(err);
  fs.SetCwd(std::move(vd));
  return {};
}

ErrOr<void> ChangeRoot(FsContext& fs, const PathContext& ctx, std::string_view path) {
  if (!ctx.creds.privileged()) return Fail(EPERM);
  VirtualDentry vd = TRY(Resolve(ctx, path, true));
  if (!vd.inode().IsDir()) return Fail(ENOTDIR);
  if (int err = CheckPermission(vd.inode(), ctx.creds, kMayExec)) return std::unexpected(err);
  fs.SetRoot(std::move(vd));
  return {};
}

}  // namespace cocoon::kernel::vfs
