// File syscalls on fds: open/close, read/write and their vector and
// positional forms, lseek, stat, getdents64, dup, fcntl, ioctl, truncate.
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "kernel/fs/host_fd.h"
#include "kernel/fs/pipe.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"

namespace cocoon::kernel {

namespace {

// Biggest host buffer one read/write call uses; longer requests are chunked
// (writes) or return short (reads), as Linux may.
constexpr size_t kIoChunk = 1 << 20;
// Linux's MAX_RW_COUNT.
constexpr size_t kMaxRwCount = INT_MAX & ~size_t{4095};

using FilePtr = vfs::Ref<vfs::FileDescription>;

// The guest's fd `fd`, or -EBADF.
vfs::ErrOr<FilePtr> GetFile(VfsTaskFiles& files, int fd) {
  FilePtr file = files.fds().Get(fd);
  if (!file) return vfs::Fail(EBADF);
  return file;
}

void RaiseSigpipe(Task& task) {
  siginfo_t info{};
  info.si_signo = SIGPIPE;
  info.si_code = SI_USER;
  task.QueueSignal(info);
}

// Reads into guest memory at `addr` with `read(span)`.
template <typename ReadFn>
int64_t ReadToGuest(Task& task, uint64_t addr, size_t len, ReadFn read) {
  len = std::min(len, kIoChunk);
  std::vector<char> buf(len);
  int64_t n = read(std::span<char>(buf));
  if (n <= 0) return n;
  return CopyOut(task, addr, buf.data(), static_cast<size_t>(n)) < 0 ? -EFAULT : n;
}

// Writes from guest memory at `addr` with `write(span)`, in chunks.
template <typename WriteFn>
int64_t WriteFromGuest(Task& task, uint64_t addr, size_t len, WriteFn write) {
  std::vector<char> buf(std::min(len, kIoChunk));
  size_t done = 0;
  while (done < len || len == 0) {
    size_t n = std::min(len - done, kIoChunk);
    if (n && CopyIn(task, addr + done, buf.data(), n) < 0) return done ? static_cast<int64_t>(done) : -EFAULT;
    int64_t wrote = write(std::span<const char>(buf.data(), n), done);
    if (wrote < 0) return done ? static_cast<int64_t>(done) : wrote;
    done += static_cast<size_t>(wrote);
    if (static_cast<size_t>(wrote) < n || len == 0) break;
  }
  return static_cast<int64_t>(done);
}

int64_t DoWrite(Task& task, vfs::FileDescription& file, uint64_t addr, size_t len) {
  PrepareToBlock(task);
  int64_t n = WriteFromGuest(task, addr, std::min(len, kMaxRwCount),
                             [&](std::span<const char> b, size_t) { return file.Write(b); });
  if (n == -EPIPE) RaiseSigpipe(task);
  return n;
}

// The iovec array of readv/writev, checked as Linux does.
int64_t CopyInIovecs(Task& task, uint64_t addr, int count, std::vector<iovec>* iov) {
  if (count < 0 || count > IOV_MAX) return -EINVAL;
  iov->resize(static_cast<size_t>(count));
  if (count && CopyIn(task, addr, iov->data(), count * sizeof(iovec)) < 0) return -EFAULT;
  size_t total = 0;
  for (const iovec& v : *iov) {
    if (v.iov_len > kMaxRwCount - total) return -EINVAL;
    total += v.iov_len;
  }
  return 0;
}

int64_t OpenAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t path_addr, int flags, uint32_t mode) {
  std::string path;
  FILE_CHECK(CopyInPath(task, path_addr, &path));
  PrepareToBlock(task);  // a fifo open waits for its peer
  vfs::PathContext ctx = FILE_TRY(files.At(dirfd, path));
  // x86-64 Linux opens everything O_LARGEFILE; F_GETFL shows it.
  FilePtr file = FILE_TRY(vfs::Open(ctx, path, flags | O_LARGEFILE, mode, files.fs().umask()));
  return files.fds().Install(std::move(file), flags & O_CLOEXEC);
}

int64_t StatToGuest(Task& task, uint64_t addr, const vfs::ErrOr<vfs::Stat>& st) {
  if (!st) return st.error();
  struct stat out = vfs::ToLinuxStat(*st);
  return CopyOutObj(task, addr, out) < 0 ? -EFAULT : 0;
}

// fstatat/statx: AT_EMPTY_PATH names the dirfd itself (any kind of file).
vfs::ErrOr<vfs::Stat> StatAt(Task& task, VfsTaskFiles& files, int dirfd, uint64_t path_addr, int flags) {
  std::string path;
  if (int64_t err = CopyInPath(task, path_addr, &path); err < 0) return std::unexpected(static_cast<int>(err));
  if (path.empty() && (flags & AT_EMPTY_PATH)) {
    if (dirfd == AT_FDCWD) return files.fs().cwd().inode().GetStat();
    FilePtr file = TRY(GetFile(files, dirfd));
    return file->GetStat();
  }
  vfs::PathContext ctx = TRY(files.At(dirfd, path));
  return vfs::StatPath(ctx, path, !(flags & AT_SYMLINK_NOFOLLOW));
}

statx_timestamp StatxTime(const timespec& ts) {
  return {.tv_sec = ts.tv_sec, .tv_nsec = static_cast<uint32_t>(ts.tv_nsec)};
}

// Tty ioctls forwarded to a host tty behind the guest's stdio: request, size
// of the argument, whether it is copied in (set) or out (get). The guest's
// termios is the kernel's (struct termios of <asm/termbits.h>, 36 bytes), not
// glibc's larger one: copying glibc's would overrun the guest's buffer.
struct TtyIoctl {
  unsigned long request;
  size_t size;
  bool in;
};
constexpr size_t kKernelTermiosSize = 36;
static_assert(kKernelTermiosSize <= sizeof(termios));
constexpr TtyIoctl kTtyIoctls[] = {
    {TCGETS, kKernelTermiosSize, false},  {TCSETS, kKernelTermiosSize, true},
    {TCSETSW, kKernelTermiosSize, true},  {TCSETSF, kKernelTermiosSize, true},
    {TIOCGWINSZ, sizeof(winsize), false}, {TIOCSWINSZ, sizeof(winsize), true},
};

}  // namespace

int64_t ForwardTtyIoctl(Task& task, int host_fd, unsigned long request, uint64_t arg) {
  for (const auto& t : kTtyIoctls) {
    if (t.request != request) continue;
    // The host kernel writes at most the kernel struct; glibc's is a safe upper bound.
    char buf[sizeof(termios) > sizeof(winsize) ? sizeof(termios) : sizeof(winsize)] = {};
    if (t.in && CopyIn(task, arg, buf, t.size) < 0) return -EFAULT;
    if (ioctl(host_fd, request, buf) < 0) return -errno;
    if (!t.in && CopyOut(task, arg, buf, t.size) < 0) return -EFAULT;
    return 0;
  }
  return -ENOTTY;
}

// Each handler starts here: the vfs files, or the stand-in's behaviour while
// the kernel still runs on HostStdioFiles.
#define VFS_FILES_OR(fallback)            \
  VfsTaskFiles* files_ptr = VfsFiles(task); \
  if (!files_ptr) return (fallback);        \
  VfsTaskFiles& files = *files_ptr

int64_t SysRead(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioRead(task, args));
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  PrepareToBlock(task);
  return ReadToGuest(task, args.U64(1), std::min(args.Size(2), kMaxRwCount),
                     [&](std::span<char> b) { return file->Read(b); });
}

int64_t SysWrite(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioWrite(task, args));
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  return DoWrite(task, *file, args.U64(1), args.Size(2));
}

int64_t SysReadv(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  std::vector<iovec> iov;
  FILE_CHECK(CopyInIovecs(task, args.U64(1), args.Int(2), &iov));
  PrepareToBlock(task);
  int64_t total = 0;
  for (const iovec& v : iov) {
    if (v.iov_len == 0) continue;
    int64_t n = ReadToGuest(task, reinterpret_cast<uint64_t>(v.iov_base), v.iov_len,
                            [&](std::span<char> b) { return file->Read(b); });
    if (n < 0) return total ? total : n;
    total += n;
    if (static_cast<size_t>(n) < v.iov_len) break;  // short: do not block for more
  }
  return total;
}

int64_t SysWritev(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioWritev(task, args));
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  std::vector<iovec> iov;
  FILE_CHECK(CopyInIovecs(task, args.U64(1), args.Int(2), &iov));
  int64_t total = 0;
  for (const iovec& v : iov) {
    if (v.iov_len == 0) continue;
    int64_t n = DoWrite(task, *file, reinterpret_cast<uint64_t>(v.iov_base), v.iov_len);
    if (n < 0) return total ? total : n;
    total += n;
    if (static_cast<size_t>(n) < v.iov_len) break;
  }
  return total;
}

int64_t SysPread64(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  int64_t offset = args.I64(3);
  return ReadToGuest(task, args.U64(1), std::min(args.Size(2), kMaxRwCount),
                     [&](std::span<char> b) { return file->PRead(b, offset); });
}

int64_t SysPwrite64(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  int64_t offset = args.I64(3);
  if (offset < 0) return -EINVAL;
  return WriteFromGuest(task, args.U64(1), std::min(args.Size(2), kMaxRwCount),
                        [&](std::span<const char> b, size_t done) {
                          return file->PWrite(b, offset + static_cast<int64_t>(done));
                        });
}

int64_t SysLseek(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  return file->Seek(args.I64(1), args.Int(2));
}

int64_t SysOpen(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return OpenAt(task, files, AT_FDCWD, args.U64(0), args.Int(1), static_cast<uint32_t>(args.U64(2)));
}

int64_t SysOpenat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return OpenAt(task, files, args.Int(0), args.U64(1), args.Int(2), static_cast<uint32_t>(args.U64(3)));
}

int64_t SysCreat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return OpenAt(task, files, AT_FDCWD, args.U64(0), O_CREAT | O_WRONLY | O_TRUNC,
                static_cast<uint32_t>(args.U64(1)));
}

int64_t SysClose(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioClose(task, args));
  return files.fds().Close(args.Int(0));
}

int64_t SysDup(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return files.fds().Dup(args.Int(0));
}

int64_t SysDup2(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return files.fds().Dup2(args.Int(0), args.Int(1));
}

int64_t SysDup3(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return files.fds().Dup3(args.Int(0), args.Int(1), args.Int(2));
}

int64_t SysFcntl(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  int fd = args.Int(0);
  int cmd = args.Int(1);
  switch (cmd) {
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: {
      FilePtr file = FILE_TRY(GetFile(files, fd));
      auto* end = dynamic_cast<fs::PipeEnd*>(file.get());
      if (!end) return -EBADF;
      if (cmd == F_GETPIPE_SZ) return static_cast<int64_t>(end->pipe().capacity());
      return end->pipe().SetCapacity(static_cast<size_t>(args.U64(2)));
    }
    case F_GETLK:
    case F_OFD_GETLK: {
      // No other lock holders exist yet: every lock is free.
      FILE_TRY(GetFile(files, fd));
      struct flock lock {};
      if (CopyInObj(task, args.U64(2), &lock) < 0) return -EFAULT;
      lock.l_type = F_UNLCK;
      return CopyOutObj(task, args.U64(2), lock) < 0 ? -EFAULT : 0;
    }
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
    case F_GETOWN:
    case F_SETOWN:
      FILE_TRY(GetFile(files, fd));
      return 0;  // advisory locks always granted (single sandbox, no contention model yet)
    default:
      return files.fds().Fcntl(fd, cmd, args.U64(2));
  }
}

int64_t SysIoctl(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioIoctl(task, args));
  int fd = args.Int(0);
  FilePtr file = FILE_TRY(GetFile(files, fd));
  unsigned long request = args.U64(1);
  switch (request) {
    case FIONREAD: {
      int64_t n = FILE_TRY(file->BytesReadable());
      int value = static_cast<int>(std::min<int64_t>(n, INT_MAX));
      return CopyOutObj(task, args.U64(2), value) < 0 ? -EFAULT : 0;
    }
    case FIONBIO: {
      int on = 0;
      if (CopyInObj(task, args.U64(2), &on) < 0) return -EFAULT;
      int flags = file->flags();
      file->SetStatusFlags(on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
      return 0;
    }
    case FIOCLEX:
      return files.fds().Fcntl(fd, F_SETFD, FD_CLOEXEC);
    case FIONCLEX:
      return files.fds().Fcntl(fd, F_SETFD, 0);
    default:
      break;
  }
  if (int host_fd = fs::HostFdOf(*file); host_fd >= 0) return ForwardTtyIoctl(task, host_fd, request, args.U64(2));
  return file->Ioctl(static_cast<uint32_t>(request), args.U64(2));
}

int64_t SysGetdents64(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  std::vector<char> buf(std::min<size_t>(args.Size(2), 1 << 16));
  int64_t n = file->GetDents64(buf);
  if (n <= 0) return n;
  return CopyOut(task, args.U64(1), buf.data(), static_cast<size_t>(n)) < 0 ? -EFAULT : n;
}

int64_t SysFstat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioFstat(task, args));
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  return StatToGuest(task, args.U64(1), file->GetStat());
}

int64_t SysStat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return StatToGuest(task, args.U64(1), StatAt(task, files, AT_FDCWD, args.U64(0), 0));
}

int64_t SysLstat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  return StatToGuest(task, args.U64(1), StatAt(task, files, AT_FDCWD, args.U64(0), AT_SYMLINK_NOFOLLOW));
}

int64_t SysNewfstatat(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(SysStdioNewfstatat(task, args));
  int flags = args.Int(3);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return -EINVAL;
  return StatToGuest(task, args.U64(2), StatAt(task, files, args.Int(0), args.U64(1), flags));
}

int64_t SysStatx(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  int flags = args.Int(2);
  vfs::Stat st = FILE_TRY(StatAt(task, files, args.Int(0), args.U64(1), flags));
  struct statx out {};
  out.stx_mask = STATX_BASIC_STATS;
  out.stx_blksize = static_cast<uint32_t>(st.blksize);
  out.stx_nlink = st.nlink;
  out.stx_uid = st.uid;
  out.stx_gid = st.gid;
  out.stx_mode = static_cast<uint16_t>(st.mode);
  out.stx_ino = st.ino;
  out.stx_size = static_cast<uint64_t>(st.size);
  out.stx_blocks = static_cast<uint64_t>(st.blocks);
  out.stx_atime = StatxTime(st.atime);
  out.stx_ctime = StatxTime(st.ctime);
  out.stx_mtime = StatxTime(st.mtime);
  out.stx_rdev_major = major(st.rdev);
  out.stx_rdev_minor = minor(st.rdev);
  out.stx_dev_major = major(st.dev);
  out.stx_dev_minor = minor(st.dev);
  return CopyOutObj(task, args.U64(4), out) < 0 ? -EFAULT : 0;
}

int64_t SysFtruncate(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  if (args.I64(1) < 0) return -EINVAL;
  vfs::SetStatRequest request;
  request.size = args.I64(1);
  if (!file->location() || !file->location().inode().IsRegular()) return -EINVAL;
  return vfs::ToSyscallResult(file->SetStat(request));
}

int64_t SysTruncate(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  std::string path;
  FILE_CHECK(CopyInPath(task, args.U64(0), &path));
  if (args.I64(1) < 0) return -EINVAL;
  vfs::PathContext ctx = FILE_TRY(files.At(AT_FDCWD, path));
  vfs::SetStatRequest request;
  request.size = args.I64(1);
  return vfs::ToSyscallResult(vfs::SetStatPath(ctx, path, true, request));
}

int64_t SysFsync(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(-ENOSYS);
  FilePtr file = FILE_TRY(GetFile(files, args.Int(0)));
  return file->Fsync();
}

int64_t SysUmask(Task& task, const SyscallArgs& args) {
  VFS_FILES_OR(022);
  return files.fs().SetUmask(static_cast<uint32_t>(args.U64(0)) & 0777);
}

}  // namespace cocoon::kernel
