// File syscalls on names: mkdir, mknod, unlink, rmdir, rename, symlink,
// readlink, link, chdir, chroot, getcwd, chmod, chown, utimensat, access.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"

namespace cocoon::kernel {

namespace {

// A path argument and the context it is resolved in.
struct PathArg {
  std::string path;
  vfs::PathContext ctx;
};

vfs::ErrOr<PathArg> GetPathArg(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr) {
  PathArg arg;
  if (int64_t err = CopyInPath(task, addr, &arg.path); err < 0) return std::unexpected(static_cast<int>(err));
  arg.ctx = TRY(files.At(dirfd, arg.path));
  return arg;
}

int64_t Result0(const vfs::ErrOr<void>& r) { return vfs::ToSyscallResult(r); }

int64_t MkdirAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, uint32_t mode) {
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  return Result0(vfs::MakeDirectory(p.ctx, p.path, mode, files.fs().umask()));
}

int64_t MknodAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, uint32_t mode, uint64_t dev) {
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  return Result0(vfs::MakeNode(p.ctx, p.path, mode, dev, files.fs().umask()));
}

int64_t UnlinkAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, int flags) {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  return Result0(flags & AT_REMOVEDIR ? vfs::RemoveDirectory(p.ctx, p.path) : vfs::Unlink(p.ctx, p.path));
}

int64_t RenameAt(Task& task, VfsTaskFiles& files, int old_dirfd, uint64_t old_addr, int new_dirfd,
                 uint64_t new_addr, uint32_t flags) {
  PathArg from = FILE_TRY(GetPathArg(task, files, old_dirfd, old_addr));
  PathArg to = FILE_TRY(GetPathArg(task, files, new_dirfd, new_addr));
  return Result0(vfs::Rename(from.ctx, from.path, to.ctx, to.path, flags));
}

int64_t SymlinkAt(Task& task, VfsTaskFiles& files, uint64_t target_addr, int dirfd, uint64_t addr) {
  std::string target;
  FILE_CHECK(CopyInPath(task, target_addr, &target));
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  return Result0(vfs::MakeSymlink(p.ctx, target, p.path));
}

int64_t ReadlinkAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, uint64_t buf, int64_t size) {
  if (size <= 0) return -EINVAL;
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  std::string target = FILE_TRY(vfs::ReadLink(p.ctx, p.path));
  size_t n = std::min(target.size(), static_cast<size_t>(size));  // truncated, no NUL, as Linux
  return CopyOut(task, buf, target.data(), n) < 0 ? -EFAULT : static_cast<int64_t>(n);
}

int64_t LinkAt(Task& task, VfsTaskFiles& files, int old_dirfd, uint64_t old_addr, int new_dirfd,
               uint64_t new_addr, int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  PathArg from = FILE_TRY(GetPathArg(task, files, old_dirfd, old_addr));
  PathArg to = FILE_TRY(GetPathArg(task, files, new_dirfd, new_addr));
  return Result0(vfs::MakeLink(from.ctx, from.path, to.ctx, to.path, flags & AT_SYMLINK_FOLLOW));
}

// chmod/chown/utimes on a path (or, with an empty path and AT_EMPTY_PATH, the fd).
int64_t SetStatAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, int flags,
                  const vfs::SetStatRequest& request) {
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  if (p.path.empty() && (flags & AT_EMPTY_PATH)) {
    vfs::Ref<vfs::FileDescription> file = files.fds().Get(dirfd);
    if (!file) return -EBADF;
    if (file->location()) FILE_TRY(vfs::CheckSetStat(file->location().inode(), files.creds(), request));
    return Result0(file->SetStat(request));
  }
  return Result0(vfs::SetStatPath(p.ctx, p.path, !(flags & AT_SYMLINK_NOFOLLOW), request));
}

int64_t SetStatFd(VfsTaskFiles& files, int fd, const vfs::SetStatRequest& request) {
  vfs::Ref<vfs::FileDescription> file = files.fds().Get(fd);
  if (!file) return -EBADF;
  if (file->location()) FILE_TRY(vfs::CheckSetStat(file->location().inode(), files.creds(), request));
  return Result0(file->SetStat(request));
}

vfs::SetStatRequest ChmodRequest(uint64_t mode) {
  vfs::SetStatRequest r;
  r.mode = static_cast<uint32_t>(mode) & 07777;
  return r;
}

vfs::SetStatRequest ChownRequest(uint64_t uid, uint64_t gid) {
  vfs::SetStatRequest r;
  if (static_cast<uint32_t>(uid) != static_cast<uint32_t>(-1)) r.uid = static_cast<uint32_t>(uid);
  if (static_cast<uint32_t>(gid) != static_cast<uint32_t>(-1)) r.gid = static_cast<uint32_t>(gid);
  return r;
}

int64_t AccessAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t addr, int mode, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH)) return -EINVAL;
  PathArg p = FILE_TRY(GetPathArg(task, files, dirfd, addr));
  return Result0(vfs::CheckAccess(p.ctx, p.path, mode, !(flags & AT_SYMLINK_NOFOLLOW)));
}

}  // namespace

int64_t SysMkdir(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return MkdirAt(task, files, AT_FDCWD, args.U64(0), static_cast<uint32_t>(args.U64(1)));
}
int64_t SysMkdirat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return MkdirAt(task, files, args.Int(0), args.U64(1), static_cast<uint32_t>(args.U64(2)));
}
int64_t SysMknod(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return MknodAt(task, files, AT_FDCWD, args.U64(0), static_cast<uint32_t>(args.U64(1)), args.U64(2));
}
int64_t SysMknodat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return MknodAt(task, files, args.Int(0), args.U64(1), static_cast<uint32_t>(args.U64(2)), args.U64(3));
}
int64_t SysUnlink(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return UnlinkAt(task, files, AT_FDCWD, args.U64(0), 0);
}
int64_t SysUnlinkat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return UnlinkAt(task, files, args.Int(0), args.U64(1), args.Int(2));
}
int64_t SysRmdir(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return UnlinkAt(task, files, AT_FDCWD, args.U64(0), AT_REMOVEDIR);
}
int64_t SysRename(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return RenameAt(task, files, AT_FDCWD, args.U64(0), AT_FDCWD, args.U64(1), 0);
}
int64_t SysRenameat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return RenameAt(task, files, args.Int(0), args.U64(1), args.Int(2), args.U64(3), 0);
}
int64_t SysRenameat2(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return RenameAt(task, files, args.Int(0), args.U64(1), args.Int(2), args.U64(3),
                  static_cast<uint32_t>(args.U64(4)));
}
int64_t SysSymlink(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SymlinkAt(task, files, args.U64(0), AT_FDCWD, args.U64(1));
}
int64_t SysSymlinkat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SymlinkAt(task, files, args.U64(0), args.Int(1), args.U64(2));
}
int64_t SysReadlink(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return ReadlinkAt(task, files, AT_FDCWD, args.U64(0), args.U64(1), args.I64(2));
}
int64_t SysReadlinkat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return ReadlinkAt(task, files, args.Int(0), args.U64(1), args.U64(2), args.I64(3));
}
int64_t SysLink(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return LinkAt(task, files, AT_FDCWD, args.U64(0), AT_FDCWD, args.U64(1), 0);
}
int64_t SysLinkat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return LinkAt(task, files, args.Int(0), args.U64(1), args.Int(2), args.U64(3), args.Int(4));
}

int64_t SysChdir(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  PathArg p = FILE_TRY(GetPathArg(task, files, AT_FDCWD, args.U64(0)));
  return Result0(vfs::ChangeDirectory(files.fs(), p.ctx, p.path));
}

int64_t SysFchdir(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  vfs::Ref<vfs::FileDescription> file = files.fds().Get(args.Int(0));
  if (!file) return -EBADF;
  if (!file->location() || !file->location().inode().IsDir()) return -ENOTDIR;
  if (int err = vfs::CheckPermission(file->location().inode(), files.creds(), vfs::kMayExec)) return err;
  files.fs().SetCwd(file->location());
  return 0;
}

int64_t SysChroot(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  PathArg p = FILE_TRY(GetPathArg(task, files, AT_FDCWD, args.U64(0)));
  return Result0(vfs::ChangeRoot(files.fs(), p.ctx, p.path));
}

int64_t SysGetcwd(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  vfs::VirtualDentry cwd = files.fs().cwd();
  std::string path = FILE_TRY(vfs::PathOf(files.fs().root(), cwd));
  if (cwd.dentry->deleted()) return -ENOENT;
  if (path.size() + 1 > args.Size(1)) return -ERANGE;
  if (CopyOut(task, args.U64(0), path.c_str(), path.size() + 1) < 0) return -EFAULT;
  return static_cast<int64_t>(path.size() + 1);
}

int64_t SysChmod(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatAt(task, files, AT_FDCWD, args.U64(0), 0, ChmodRequest(args.U64(1)));
}
int64_t SysFchmod(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatFd(files, args.Int(0), ChmodRequest(args.U64(1)));
}
int64_t SysFchmodat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatAt(task, files, args.Int(0), args.U64(1), 0, ChmodRequest(args.U64(2)));
}
int64_t SysChown(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatAt(task, files, AT_FDCWD, args.U64(0), 0, ChownRequest(args.U64(1), args.U64(2)));
}
int64_t SysLchown(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatAt(task, files, AT_FDCWD, args.U64(0), AT_SYMLINK_NOFOLLOW, ChownRequest(args.U64(1), args.U64(2)));
}
int64_t SysFchown(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatFd(files, args.Int(0), ChownRequest(args.U64(1), args.U64(2)));
}
int64_t SysFchownat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return SetStatAt(task, files, args.Int(0), args.U64(1), args.Int(4), ChownRequest(args.U64(2), args.U64(3)));
}

int64_t SysUtimensat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  timespec times[2];
  vfs::SetStatRequest request;
  timespec now = vfs::Now();
  if (args.U64(2) == 0) {
    request.atime = request.mtime = now;
  } else {
    if (CopyIn(task, args.U64(2), times, sizeof(times)) < 0) return -EFAULT;
    for (int i = 0; i < 2; ++i) {
      std::optional<timespec>& field = i == 0 ? request.atime : request.mtime;
      if (times[i].tv_nsec == UTIME_OMIT) continue;
      if (times[i].tv_nsec == UTIME_NOW) {
        field = now;
      } else if (times[i].tv_nsec < 0 || times[i].tv_nsec >= 1000000000) {
        return -EINVAL;
      } else {
        field = times[i];
      }
    }
  }
  int flags = args.Int(3);
  if (args.U64(1) == 0) return SetStatFd(files, args.Int(0), request);  // futimens
  return SetStatAt(task, files, args.Int(0), args.U64(1), flags, request);
}

int64_t SysAccess(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return AccessAt(task, files, AT_FDCWD, args.U64(0), args.Int(1), 0);
}
int64_t SysFaccessat(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return AccessAt(task, files, args.Int(0), args.U64(1), args.Int(2), 0);
}
int64_t SysFaccessat2(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  return AccessAt(task, files, args.Int(0), args.U64(1), args.Int(2), args.Int(3));
}

}  // namespace cocoon::kernel
