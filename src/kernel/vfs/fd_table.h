// FdTable: a task's file descriptors, with close-on-exec flags; shared by
// CLONE_FILES threads, copied by fork.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "kernel/vfs/file.h"
#include "kernel/vfs/ref.h"

namespace cocoon::kernel::vfs {

class FdTable : public RefCounted {
 public:
  // `max_fds` is RLIMIT_NOFILE: fds are below it.
  explicit FdTable(int max_fds = 1024) : max_fds_(max_fds) {}

  // Puts `file` at the lowest free fd >= `min_fd`; -EMFILE when full.
  int Install(Ref<FileDescription> file, bool cloexec, int min_fd = 0);
  // The file at `fd`, or null (EBADF for the caller).
  Ref<FileDescription> Get(int fd, bool* cloexec = nullptr) const;
  int Close(int fd);

  int Dup(int fd);
  int Dup2(int old_fd, int new_fd);
  int Dup3(int old_fd, int new_fd, int flags);  // flags: O_CLOEXEC
  // F_DUPFD(_CLOEXEC), F_GETFD/F_SETFD, F_GETFL/F_SETFL; -EINVAL for others
  // (the syscall layer handles locks, pipe sizes, owners).
  int64_t Fcntl(int fd, int cmd, uint64_t arg);

  // A copy for fork (same open files, same cloexec flags).
  Ref<FdTable> Clone() const;
  // Closes every close-on-exec fd (execve).
  void CloseOnExec();
  void CloseAll();

  // Open fds in order (for /proc/<pid>/fd).
  std::vector<int> Fds() const;
  int max_fds() const;
  void set_max_fds(int max_fds);

 private:
  struct Entry {
    Ref<FileDescription> file;
    bool cloexec = false;
  };
  int InstallLocked(Ref<FileDescription> file, bool cloexec, int min_fd);
  // Puts `file` at `fd`, returning what was there (to be dropped unlocked:
  // closing a pipe end wakes its peers).
  Ref<FileDescription> ReplaceLocked(int fd, Ref<FileDescription> file, bool cloexec);

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  int max_fds_;
};

}  // namespace cocoon::kernel::vfs
