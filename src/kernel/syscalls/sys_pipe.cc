// pipe(2) and pipe2(2).
#include <fcntl.h>

#include "kernel/fs/pipe.h"
#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"

namespace cocoon::kernel {

namespace {

int64_t MakePipe(Task& task, uint64_t fds_addr, int flags) {
  VfsTaskFiles* files = VfsFiles(task);
  if (!files) return -ENOSYS;
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  auto [read_end, write_end] = fs::NewPipe(flags);
  bool cloexec = flags & O_CLOEXEC;
  int fds[2];
  fds[0] = files->fds().Install(std::move(read_end), cloexec);
  if (fds[0] < 0) return fds[0];
  fds[1] = files->fds().Install(std::move(write_end), cloexec);
  if (fds[1] < 0) {
    files->fds().Close(fds[0]);
    return fds[1];
  }
  if (CopyOut(task, fds_addr, fds, sizeof(fds)) < 0) {
    files->fds().Close(fds[0]);
    files->fds().Close(fds[1]);
    return -EFAULT;
  }
  return 0;
}

}  // namespace

int64_t SysPipe(Task& task, const SyscallArgs& args) { return MakePipe(task, args.U64(0), 0); }
int64_t SysPipe2(Task& task, const SyscallArgs& args) { return MakePipe(task, args.U64(0), args.Int(1)); }

}  // namespace cocoon::kernel
