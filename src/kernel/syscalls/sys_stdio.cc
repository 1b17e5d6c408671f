// The guest's stdio served straight from the host's fds, until the vfs takes
// over read/write/fstat/ioctl/close for every kind of file.
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <vector>

#include "kernel/sync/kernel_lock.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/sys_file_util.h"
#include "kernel/task/host_stdio_files.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {
namespace {

constexpr size_t kChunk = 64 << 10;

int HostFd(Task& task, int fd) {
  auto* files = dynamic_cast<HostStdioFiles*>(task.files());
  return files ? files->HostFd(fd) : -1;
}

int64_t WriteFrom(Task& task, int host_fd, uint64_t addr, size_t len) {
  std::vector<char> buf(std::min(len, kChunk));
  size_t done = 0;
  while (done < len) {
    size_t n = std::min(len - done, kChunk);
    if (CopyIn(task, addr + done, buf.data(), n) < 0) return done ? static_cast<int64_t>(done) : -EFAULT;
    ssize_t wrote;
    {
      KernelUnlock unlock;  // a pipe or terminal may block
      wrote = write(host_fd, buf.data(), n);
    }
    if (wrote < 0) return done ? static_cast<int64_t>(done) : -errno;
    done += static_cast<size_t>(wrote);
    if (static_cast<size_t>(wrote) < n) break;
  }
  return static_cast<int64_t>(done);
}

}  // namespace

int64_t SysStdioRead(Task& task, const SyscallArgs& args) {
  int host_fd = HostFd(task, args.Int(0));
  if (host_fd < 0) return -EBADF;
  size_t len = std::min(args.Size(2), kChunk);
  std::vector<char> buf(len);
  ssize_t got;
  {
    KernelUnlock unlock;
    got = read(host_fd, buf.data(), len);
  }
  if (got < 0) return -errno;
  if (int64_t err = CopyOut(task, args.U64(1), buf.data(), got); err < 0) return err;
  return got;
}

int64_t SysStdioWrite(Task& task, const SyscallArgs& args) {
  int host_fd = HostFd(task, args.Int(0));
  if (host_fd < 0) return -EBADF;
  return WriteFrom(task, host_fd, args.U64(1), args.Size(2));
}

int64_t SysStdioWritev(Task& task, const SyscallArgs& args) {
  int host_fd = HostFd(task, args.Int(0));
  if (host_fd < 0) return -EBADF;
  int count = args.Int(2);
  if (count < 0 || count > IOV_MAX) return -EINVAL;
  std::vector<iovec> iov(count);
  if (count > 0 && CopyIn(task, args.U64(1), iov.data(), count * sizeof(iovec)) < 0) return -EFAULT;
  int64_t total = 0;
  for (const iovec& v : iov) {
    if (v.iov_len == 0) continue;
    int64_t n = WriteFrom(task, host_fd, reinterpret_cast<uint64_t>(v.iov_base), v.iov_len);
    if (n < 0) return total ? total : n;
    total += n;
    if (static_cast<size_t>(n) < v.iov_len) break;
  }
  return total;
}

int64_t SysStdioFstat(Task& task, const SyscallArgs& args) {
  int host_fd = HostFd(task, args.Int(0));
  if (host_fd < 0) return -EBADF;
  struct stat st;
  if (fstat(host_fd, &st) != 0) return -errno;
  return CopyOutObj(task, args.U64(1), st);
}

int64_t SysStdioNewfstatat(Task& task, const SyscallArgs& args) {
  std::string path;
  if (int64_t err = CopyInString(task, args.U64(1), kMaxPathLen, &path); err < 0) return err;
  if (!path.empty() || !(args.Int(3) & AT_EMPTY_PATH)) return -ENOENT;  // no files yet
  SyscallArgs fstat_args{.a = {args.U64(0), args.U64(2)}};
  return SysStdioFstat(task, fstat_args);
}

int64_t SysStdioIoctl(Task& task, const SyscallArgs& args) {
  int host_fd = HostFd(task, args.Int(0));
  if (host_fd < 0) return -EBADF;
  return ForwardTtyIoctl(task, host_fd, args.U64(1), args.U64(2));
}

int64_t SysStdioClose(Task& task, const SyscallArgs& args) {
  auto* files = dynamic_cast<HostStdioFiles*>(task.files());
  if (!files || files->HostFd(args.Int(0)) < 0) return -EBADF;
  files->Close(args.Int(0));
  return 0;
}

}  // namespace cocoon::kernel
