// The sandbox's host seccomp filter: what is on the list works, anything else
// kills the process that installed it (the sandbox) with SIGSYS.
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include <gtest/gtest.h>

#include "sandbox/allowlist.h"

namespace cocoon::sandbox {
namespace {

// Runs `body` in a forked child after installing the filter; returns the wait status.
int RunFiltered(bool trap, const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!InstallSandboxFilter(trap)) ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(SandboxAllowList, AllowedSyscallsRunUnderTheFilter) {
  int status = RunFiltered(false, [] {
    int fds[2];
    if (::pipe2(fds, 0) < 0) return 1;
    if (::write(fds[1], "x", 1) != 1) return 2;
    char c;
    if (::read(fds[0], &c, 1) != 1 || c != 'x') return 3;
    return ::getpid() > 0 ? 0 : 4;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SandboxAllowList, ASyscallOutsideTheListKillsTheSandbox) {
  // The sandbox never makes sockets: it only uses the control socket it was given.
  int status = RunFiltered(false, [] { return ::socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 1; });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
  status = RunFiltered(false, [] {
    char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
    ::execv("/bin/true", argv);
    return 1;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(SandboxAllowList, DebugModeNamesTheSyscallThenDies) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 2);
    if (!InstallSandboxFilter(true)) ::_exit(100);
    (void)::socket(AF_INET, SOCK_STREAM, 0);
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[128] = {};
  ssize_t n = ::read(fds[0], buf, sizeof(buf) - 1);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GT(n, 0);
  EXPECT_STREQ(buf, "cocoon boot: forbidden host syscall 041\n");  // 41 = socket on x86-64
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGSYS);
}

TEST(SandboxAllowList, HasNoDangerousHostSyscalls) {
  auto list = SandboxSyscalls();
  for (std::string_view forbidden : {"execve", "execveat", "socket", "connect", "bind", "mount", "umount2",
                                     "pivot_root", "chroot", "open", "unshare", "setns", "init_module", "bpf",
                                     "kexec_load", "reboot", "ptrace_attach"}) {
    EXPECT_EQ(std::find(list.begin(), list.end(), forbidden), list.end()) << forbidden;
  }
}

}  // namespace
}  // namespace cocoon::sandbox
