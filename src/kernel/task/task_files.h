// The seam between tasks and the file side: what task code (fork, execve, exit)
// needs from a task's open files and file-system context. The vfs implements it
// (FD table, cwd, root, umask); until then HostStdioFiles (kernel/task/
// host_stdio_files.h) stands in with the host's stdio and a host root directory.
#pragma once

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
};

}  // namespace cocoon::kernel
