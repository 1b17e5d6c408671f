// Extended attributes (the get/set/list/remove families, each on a path, a
// path without following its last link, or an fd) and statfs/fstatfs.
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string_view>

#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"

namespace cocoon::kernel {

namespace {

constexpr size_t kXattrNameMax = 255;      // XATTR_NAME_MAX
constexpr size_t kXattrSizeMax = 65536;    // XATTR_SIZE_MAX
constexpr int64_t kPipefsMagic = 0x50495045;

vfs::ErrOr<vfs::VirtualDentry> PathTarget(Task& task, VfsTaskFiles& files, uint64_t addr, bool follow) {
  std::string path;
  if (int64_t err = CopyInPath(task, addr, &path); err < 0) return std::unexpected(static_cast<int>(err));
  vfs::PathContext ctx = TRY(files.At(AT_FDCWD, path));
  return vfs::Resolve(ctx, path, follow);
}

// The fd's file; a file with no path (a pipe) has no attributes to act on.
vfs::ErrOr<vfs::VirtualDentry> FdTarget(VfsTaskFiles& files, int fd) {
  vfs::Ref<vfs::FileDescription> file = files.fds().Get(fd);
  if (!file) return vfs::Fail(EBADF);
  if (!file->location()) return vfs::Fail(EOPNOTSUPP);
  return file->location();
}

// Where the call acts: args[0] as a path (followed or not) or as an fd.
enum class Target { kPath, kLinkPath, kFd };

vfs::ErrOr<vfs::VirtualDentry> TargetOf(Task& task, VfsTaskFiles& files, const SyscallArgs& args, Target t) {
  if (t == Target::kFd) return FdTarget(files, args.Int(0));
  return PathTarget(task, files, args.U64(0), t == Target::kPath);
}

vfs::ErrOr<std::string> XattrName(Task& task, uint64_t addr) {
  std::string name;
  int64_t n = CopyInString(task, addr, kXattrNameMax, &name);
  if (n == -ENAMETOOLONG) return vfs::Fail(ERANGE);
  if (n < 0) return std::unexpected(static_cast<int>(n));
  if (name.empty()) return vfs::Fail(ERANGE);
  return name;
}

// Copies `data` out to a guest buffer of `size` bytes: its length when size is
// 0 (the caller asks how much room it needs), ERANGE when it does not fit.
int64_t CopyOutSized(Task& task, uint64_t addr, size_t size, std::string_view data) {
  if (size == 0) return static_cast<int64_t>(data.size());
  if (size < data.size()) return -ERANGE;
  if (CopyOut(task, addr, data.data(), data.size()) < 0) return -EFAULT;
  return static_cast<int64_t>(data.size());
}

int64_t GetXattr(Task& task, const SyscallArgs& args, Target t) {
  VFS_FILES();
  vfs::VirtualDentry vd = FILE_TRY(TargetOf(task, files, args, t));
  std::string name = FILE_TRY(XattrName(task, args.U64(1)));
  std::string value = FILE_TRY(vd.inode().GetXattr(name));
  return CopyOutSized(task, args.U64(2), args.Size(3), value);
}

int64_t SetXattr(Task& task, const SyscallArgs& args, Target t) {
  VFS_FILES();
  vfs::VirtualDentry vd = FILE_TRY(TargetOf(task, files, args, t));
  std::string name = FILE_TRY(XattrName(task, args.U64(1)));
  size_t size = args.Size(3);
  int flags = args.Int(4);
  if (size > kXattrSizeMax) return -E2BIG;
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return -EINVAL;
  std::string value(size, '\0');
  if (size && CopyIn(task, args.U64(2), value.data(), size) < 0) return -EFAULT;
  if (vd.mount->read_only()) return -EROFS;
  return vfs::ToSyscallResult(vd.inode().SetXattr(name, value, flags));
}

int64_t ListXattr(Task& task, const SyscallArgs& args, Target t) {
  VFS_FILES();
  vfs::VirtualDentry vd = FILE_TRY(TargetOf(task, files, args, t));
  auto names = vd.inode().ListXattr();
  if (!names && names.error() == -EOPNOTSUPP) return 0;  // no attributes, as Linux lists them
  if (!names) return names.error();
  std::string list;
  for (const auto& n : *names) list += n + '\0';
  return CopyOutSized(task, args.U64(1), args.Size(2), list);
}

int64_t RemoveXattr(Task& task, const SyscallArgs& args, Target t) {
  VFS_FILES();
  vfs::VirtualDentry vd = FILE_TRY(TargetOf(task, files, args, t));
  std::string name = FILE_TRY(XattrName(task, args.U64(1)));
  if (vd.mount->read_only()) return -EROFS;
  return vfs::ToSyscallResult(vd.inode().RemoveXattr(name));
}

// f_type by file system, as Linux's magic numbers; the sandbox's root
// (overlay over the gofer's files) reports overlay.
struct FsMagic {
  std::string_view type;
  int64_t magic;
};
constexpr FsMagic kFsMagics[] = {
    {"tmpfs", TMPFS_MAGIC}, {"proc", PROC_SUPER_MAGIC}, {"overlay", OVERLAYFS_SUPER_MAGIC},
    {"gofer", V9FS_MAGIC},  {"hostdir", V9FS_MAGIC},
};

// Sizes are the sandbox's memory: every file system here is backed by it or
// by the gofer, whose host file system the guest must not learn about.
struct statfs StatfsOf(int64_t magic, uint64_t mount_flags) {
  struct statfs st {};
  st.f_type = magic;
  st.f_bsize = 4096;
  st.f_frsize = 4096;
  long pages = sysconf(_SC_PHYS_PAGES);
  long avail = sysconf(_SC_AVPHYS_PAGES);
  st.f_blocks = pages > 0 ? static_cast<fsblkcnt_t>(pages) : 0;
  st.f_bfree = st.f_bavail = avail > 0 ? static_cast<fsblkcnt_t>(avail) : 0;
  st.f_files = st.f_ffree = 1 << 20;
  st.f_namelen = 255;
  if (mount_flags & MS_RDONLY) st.f_flags |= ST_RDONLY;
  if (mount_flags & MS_NOSUID) st.f_flags |= ST_NOSUID;
  if (mount_flags & MS_NODEV) st.f_flags |= ST_NODEV;
  if (mount_flags & MS_NOEXEC) st.f_flags |= ST_NOEXEC;
  return st;
}

int64_t StatfsToGuest(Task& task, uint64_t addr, const vfs::VirtualDentry& vd) {
  int64_t magic = TMPFS_MAGIC;
  for (const auto& m : kFsMagics) {
    if (m.type == vd.inode().fs().type()) magic = m.magic;
  }
  return CopyOutObj(task, addr, StatfsOf(magic, vd.mount->flags())) < 0 ? -EFAULT : 0;
}

}  // namespace

int64_t SysGetxattr(Task& task, const SyscallArgs& args) { return GetXattr(task, args, Target::kPath); }
int64_t SysLgetxattr(Task& task, const SyscallArgs& args) { return GetXattr(task, args, Target::kLinkPath); }
int64_t SysFgetxattr(Task& task, const SyscallArgs& args) { return GetXattr(task, args, Target::kFd); }
int64_t SysSetxattr(Task& task, const SyscallArgs& args) { return SetXattr(task, args, Target::kPath); }
int64_t SysLsetxattr(Task& task, const SyscallArgs& args) { return SetXattr(task, args, Target::kLinkPath); }
int64_t SysFsetxattr(Task& task, const SyscallArgs& args) { return SetXattr(task, args, Target::kFd); }
int64_t SysListxattr(Task& task, const SyscallArgs& args) { return ListXattr(task, args, Target::kPath); }
int64_t SysLlistxattr(Task& task, const SyscallArgs& args) { return ListXattr(task, args, Target::kLinkPath); }
int64_t SysFlistxattr(Task& task, const SyscallArgs& args) { return ListXattr(task, args, Target::kFd); }
int64_t SysRemovexattr(Task& task, const SyscallArgs& args) { return RemoveXattr(task, args, Target::kPath); }
int64_t SysLremovexattr(Task& task, const SyscallArgs& args) { return RemoveXattr(task, args, Target::kLinkPath); }
int64_t SysFremovexattr(Task& task, const SyscallArgs& args) { return RemoveXattr(task, args, Target::kFd); }

int64_t SysStatfs(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  vfs::VirtualDentry vd = FILE_TRY(PathTarget(task, files, args.U64(0), /*follow=*/true));
  return StatfsToGuest(task, args.U64(1), vd);
}

int64_t SysFstatfs(Task& task, const SyscallArgs& args) {
  VFS_FILES();
  auto vd = FdTarget(files, args.Int(0));
  if (!vd && vd.error() != -EOPNOTSUPP) return vd.error();
  // No path: a pipe, or the host's stdio (a pipe or a tty), as pipefs.
  if (!vd) return CopyOutObj(task, args.U64(1), StatfsOf(kPipefsMagic, 0)) < 0 ? -EFAULT : 0;
  return StatfsToGuest(task, args.U64(1), *vd);
}

}  // namespace cocoon::kernel
