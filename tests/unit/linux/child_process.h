// Test helper: runs code in a forked child so nothing is applied to the test process itself.
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/file.h"
#include "base/unique_fd.h"

namespace cocoon::linux::test_util {

// Runs `body` in a forked child and returns what it reported: "" on success,
// otherwise a failure message (also when the child died or exited non-zero).
// The child always _exit()s and is always reaped.
inline std::string RunInChild(const std::function<std::string()>& body) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "pipe2 failed";
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    read_end.reset();
    std::string message = body();
    (void)WriteAll(write_end.get(), message);
    _exit(0);
  }
  write_end.reset();
  Result<std::string> message = ReadFd(read_end.get());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!message) return "reading the child's report: " + message.error().message();
  if (!message->empty()) return *message;
  if (WIFSIGNALED(status)) return "child killed by signal " + std::to_string(WTERMSIG(status));
  if (WEXITSTATUS(status) != 0) return "child exited with " + std::to_string(WEXITSTATUS(status));
  return "";
}

// Runs `body` in a forked child that exits with its return value; returns the
// exit status, or 128 + signal when it was killed. For children that cannot
// write a report (a seccomp filter forbids it).
inline int RunInChildForExitCode(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  // exit_group directly: under ASan, _exit() first runs LeakSanitizer, which
  // dies when a seccomp filter denies the syscalls it needs.
  if (pid == 0) syscall(SYS_exit_group, body());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// A failed Result's message, for the child's report.
template <typename T>
std::string Report(const Result<T>& result, const std::string& what) {
  return result ? std::string() : what + ": " + result.error().message();
}

}  // namespace cocoon::linux::test_util
