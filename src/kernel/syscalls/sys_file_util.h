// Helpers shared by the file syscall handlers: path arguments, fd lookup,
// blocking setup. Internal to src/kernel/syscalls/sys_file*.cc.
#pragma once

#include <string>

#include "kernel/syscalls/sys_file.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

// Installs the task's vfs Waiter on this host thread (idempotent); call
// before anything that may block in the vfs.
void PrepareToBlock(Task& task);

// Records the task running on this host thread, for /proc/self and friends.
void SetCurrentTaskForProc(Task& task);

// A tty ioctl (TCGETS, TCSETS*, TIOC[GS]WINSZ) passed to the host tty behind
// a guest file; -ENOTTY for any other request.
int64_t ForwardTtyIoctl(Task& task, int host_fd, unsigned long request, uint64_t arg);

// Copies a path argument in: its length, -EFAULT or -ENAMETOOLONG.
inline int64_t CopyInPath(Task& task, uint64_t addr, std::string* path) {
  return CopyInString(task, addr, kMaxPathLen - 1, path);
}

// Each handler that needs the vfs starts here: `files`, or ENOSYS while the
// kernel still runs on HostStdioFiles.
#define VFS_FILES()                          \
  VfsTaskFiles* files_ptr = VfsFiles(task);  \
  if (!files_ptr) return -ENOSYS;            \
  VfsTaskFiles& files = *files_ptr

// Returns from the handler with the errno of a failed ErrOr.
#define FILE_TRY(expr)                                       \
  ({                                                         \
    auto&& file_try_result_ = (expr);                        \
    if (!file_try_result_) return file_try_result_.error();  \
    *std::move(file_try_result_);                            \
  })

// Returns a negative int64_t result from the handler.
#define FILE_CHECK(expr)            \
  ({                                \
    int64_t file_check_ = (expr);   \
    if (file_check_ < 0) return file_check_; \
    file_check_;                    \
  })

}  // namespace cocoon::kernel
