// Each guest program runs natively and on the application kernel; stdout,
// stderr and the exit status must match.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/file.h"

namespace {

struct Outcome {
  std::string out;
  std::string err;
  int status = -1;  // as a shell sees it
};

std::string TempPath(const std::string& what) {
  return "/tmp/cocoon_guest_" + std::to_string(getpid()) + "_" + what;
}

// Runs argv with stdout/stderr captured to files (not pipes: the guest's writes
// must not depend on a reader).
Outcome RunProgram(const std::vector<std::string>& argv) {
  std::string out_path = TempPath("out"), err_path = TempPath("err");
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome o;
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.out = cocoon::ReadFile(out_path).value_or("");
  o.err = cocoon::ReadFile(err_path).value_or("");
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return o;
}

bool PtraceWorks() {
  Outcome o = RunProgram({COCOON_KERNEL_RUN, "/bin/true"});
  return o.err.find("EPERM") == std::string::npos;
}

class GuestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GuestTest, SameNativelyAndOnTheKernel) {
  if (!PtraceWorks()) GTEST_SKIP() << "ptrace is not permitted here";
  std::string program = std::string(COCOON_GUEST_DIR) + "/" + GetParam();
  Outcome native = RunProgram({program, "arg1"});
  std::string log_path = TempPath("log");
  Outcome guest = RunProgram({COCOON_KERNEL_RUN, "--strace", "--log=" + log_path, program, "arg1"});
  std::string log = cocoon::ReadFile(log_path).value_or("");
  unlink(log_path.c_str());
  SCOPED_TRACE("kernel log:\n" + log);
  EXPECT_EQ(guest.out, native.out);
  EXPECT_EQ(guest.err, native.err);
  EXPECT_EQ(guest.status, native.status);
}

// The same through the real binary: a sandbox (cocoon boot, confined, under
// its seccomp filter) started by `cocoon --platform=ptrace do`.
Outcome RunInSandbox(const std::vector<std::string>& argv) {
  char root[] = "/tmp/cocoon_guest_root_XXXXXX";
  if (!mkdtemp(root)) return {};
  std::vector<std::string> command{COCOON_BINARY, "--root", root, "--platform=ptrace", "do"};
  command.insert(command.end(), argv.begin(), argv.end());
  Outcome o = RunProgram(command);
  rmdir(root);
  return o;
}

TEST_P(GuestTest, SameNativelyAndInTheSandbox) {
  if (geteuid() != 0) GTEST_SKIP() << "a sandbox needs root (namespaces, cgroups)";
  if (!PtraceWorks()) GTEST_SKIP() << "ptrace is not permitted here";
  std::string program = std::string(COCOON_GUEST_DIR) + "/" + GetParam();
  Outcome native = RunProgram({program, "arg1"});
  Outcome guest = RunInSandbox({program, "arg1"});
  EXPECT_EQ(guest.out, native.out);
  EXPECT_EQ(guest.err, native.err);
  EXPECT_EQ(guest.status, native.status);
}

INSTANTIATE_TEST_SUITE_P(Programs, GuestTest, ::testing::Values("hello", "memory", "process", "signals", "bad_input", "files"));

}  // namespace

namespace {

// Static busybox: the shell, pipes, fork/exec of applets and of host binaries.
TEST(BusyboxTest, ShellAgreesNativelyAndOnTheKernel) {
  if (access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "no /bin/busybox (busybox-static)";
  if (!PtraceWorks()) GTEST_SKIP() << "ptrace is not permitted here";
  const std::string script =
      "echo hello; busybox ls / | busybox wc -l; busybox cat /etc/passwd | busybox wc -l; "
      "for i in 1 2 3; do echo $i; done; (exit 7); echo status $?; exit 3";
  Outcome native = RunProgram({"/bin/busybox", "sh", "-c", script});
  Outcome guest = RunProgram({COCOON_KERNEL_RUN, "--log=/dev/null", "/bin/busybox", "sh", "-c", script});
  EXPECT_EQ(guest.out, native.out);
  EXPECT_EQ(guest.err, native.err);
  EXPECT_EQ(guest.status, 3);
  EXPECT_EQ(native.status, 3);
}

}  // namespace
