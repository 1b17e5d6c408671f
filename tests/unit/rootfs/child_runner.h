// Runs a check in a forked child inside new namespaces, so the test's own mount table is
// never touched: the child reports failed checks over a pipe and _exit()s.
#pragma once

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/error.h"
#include "base/file.h"
#include "base/unique_fd.h"

namespace cocoon::rootfs::testing {

// Collects failed checks as lines of text.
class Checks {
 public:
  void Expect(bool ok, const std::string& what) {
    if (!ok) failures_ += what + "\n";
  }
  void Ok(const Result<>& result, const std::string& what) {
    if (!result) failures_ += what + ": " + result.error().message() + "\n";
  }
  const std::string& failures() const { return failures_; }

 private:
  std::string failures_;
};

// Forks; the child unshares `flags`, runs `body` (in a second child with CLONE_NEWPID) and
// reports its failures. Returns "" when
// every check passed, else the failures (or how the child died).
inline std::string RunInChild(int flags, const std::function<void(Checks&)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return "pipe failed";
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    read_end.reset();
    Checks checks;
    if (::unshare(flags) < 0) {
      checks.Expect(false, "unshare: " + ErrnoName(errno));
    } else if (flags & CLONE_NEWPID) {
      // Only children enter a new pid namespace: the body runs in one, as pid 1.
      pid_t inner = ::fork();
      if (inner == 0) {
        body(checks);
        (void)WriteAll(write_end.get(), checks.failures());
        ::_exit(0);
      }
      int status = 0;
      if (inner < 0 || ::waitpid(inner, &status, 0) < 0 || !WIFEXITED(status))
        checks.Expect(false, "the pid namespace child failed, status " + std::to_string(status));
    } else {
      body(checks);
    }
    (void)WriteAll(write_end.get(), checks.failures());
    ::_exit(0);
  }
  write_end.reset();
  std::string report = ReadFd(read_end.get()).value_or("reading the child's report failed");
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) report += "child died, status " + std::to_string(status);
  return report;
}

inline long FsType(const std::string& path) {
  struct statfs st;
  return ::statfs(path.c_str(), &st) == 0 ? static_cast<long>(st.f_type) : -1;
}

inline unsigned long VfsFlags(const std::string& path) {
  struct statvfs st;
  return ::statvfs(path.c_str(), &st) == 0 ? st.f_flag : ~0UL;
}

// The errno of creating/writing `path`, 0 if it worked.
inline int WriteErrno(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

inline std::string ReadLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

inline std::string Read(const std::string& path) { return ReadFile(path).value_or("<unreadable>"); }

}  // namespace cocoon::rootfs::testing
