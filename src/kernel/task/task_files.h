// The seam between tasks and the file side: what task code (fork, execve, exit)
// needs from a task's open files and file-system context. The vfs implements it
// (FD table, cwd, root, umask); until then HostStdioFiles (kernel/task/
// host_stdio_files.h) stands in with the host's stdio and a host root directory.
#pragma once

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>

namespace cocoon::kernel {

class TaskFiles {
 public:
  virtual ~TaskFiles() = default;

  // For fork/clone: `share` is CLONE_FILES|CLONE_FS (the same object, shared),
  // otherwise an independent copy (the FD table duplicated, as fork does).
  virtual std::shared_ptr<TaskFiles> Fork(bool share) = 0;
  // execve succeeded: close the close-on-exec descriptors.
  virtual void OnExec() = 0;
  // Reads a whole regular file for execve, resolved like open(path, O_RDONLY)
  // from the task's cwd and root (execute permission checked). 0 or -errno.
  virtual int64_t ReadExecutable(const std::string& path, std::string* contents) = 0;
  // For mmap of a file: reads up to `len` bytes at `offset` of the file open
  // as guest fd `fd` (short at EOF). 0 or -EBADF, -EACCES (not open for
  // reading), -ENODEV (not mappable: pipes, sockets, directories).
  virtual int64_t ReadForMmap(int fd, uint64_t offset, uint64_t len, std::string* out) {
    (void)fd, (void)offset, (void)len, (void)out;
    return -ENODEV;
  }
};

}  // namespace cocoon::kernel
