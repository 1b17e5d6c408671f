// A stand-in for the vfs: the guest's fds 0-2 are the host stdio fds given to
// the kernel, and executables are read from a host root directory (resolved
// inside it, never escaping). Replaced by the vfs's TaskFiles.
#pragma once

#include <array>
#include <memory>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/task/task_files.h"

namespace cocoon::kernel {

class HostStdioFiles : public TaskFiles {
 public:
  static Result<std::shared_ptr<HostStdioFiles>> Create(const std::string& root, std::array<int, 3> stdio);

  std::shared_ptr<TaskFiles> Fork(bool share) override;
  void OnExec() override {}
  int64_t ReadExecutable(const std::string& path, std::string* contents) override;

  // The host fd behind guest fd `fd`, or -1 (closed or out of range).
  int HostFd(int fd) const { return fd >= 0 && fd < 3 && open_[fd] ? stdio_[fd] : -1; }
  void Close(int fd) { open_[fd] = false; }

 private:
  HostStdioFiles(std::shared_ptr<UniqueFd> root, std::array<int, 3> stdio) : root_(std::move(root)), stdio_(stdio) {}

  std::shared_ptr<UniqueFd> root_;
  std::array<int, 3> stdio_;
  std::array<bool, 3> open_ = {true, true, true};
};

}  // namespace cocoon::kernel
