// Tests for seccomp profile compilation, and filters loaded in forked children.
#include "linux/seccomp_filter.h"

#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::RunInChildForExitCode;

// Exit codes the children use to say what they saw.
constexpr int kOk = 0;
constexpr int kLoadFailed = 100;
constexpr int kWrongResult = 101;

oci::SeccompSyscall Rule(std::vector<std::string> names, std::string action,
                         std::optional<uint32_t> errno_ret = std::nullopt,
                         std::vector<oci::SeccompArg> args = {}) {
  return oci::SeccompSyscall{.names = std::move(names),
                             .action = std::move(action),
                             .errno_ret = errno_ret,
                             .args = std::move(args)};
}

oci::Seccomp AllowAllBut(std::vector<oci::SeccompSyscall> rules) {
  return oci::Seccomp{.default_action = "SCMP_ACT_ALLOW", .syscalls = std::move(rules)};
}

std::string CompileError(const oci::Seccomp& profile) {
  auto filter = SeccompFilter::Compile(profile);
  return filter ? std::string("compiled") : filter.error().message();
}

// Loading needs CAP_SYS_ADMIN unless no_new_privs is set; setting it in the
// child keeps the test independent of the test process's privileges.
bool LoadInChild(const SeccompFilter& filter) {
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && filter.Load().has_value();
}

// -1 with errno `err`, from a raw syscall.
bool FailsWith(long rc, int err) { return rc == -1 && errno == err; }

TEST(SeccompTest, NameTables) {
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_ALLOW", std::nullopt), SCMP_ACT_ALLOW);
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_KILL", std::nullopt), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_KILL_PROCESS", std::nullopt), SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_ERRNO", std::nullopt), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_ERRNO", ENOSYS), SCMP_ACT_ERRNO(ENOSYS));
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_TRACE", 7), SCMP_ACT_TRACE(7));
  EXPECT_EQ(*SeccompActionFromName("SCMP_ACT_LOG", std::nullopt), SCMP_ACT_LOG);
  EXPECT_EQ(*SeccompOpFromName("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
  EXPECT_EQ(*SeccompOpFromName("SCMP_CMP_NE"), SCMP_CMP_NE);
  EXPECT_EQ(*SeccompArchFromName("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
  EXPECT_EQ(*SeccompArchFromName("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
  EXPECT_EQ(*SeccompFlagFromName("SECCOMP_FILTER_FLAG_LOG"), SCMP_FLTATR_CTL_LOG);
}

TEST(SeccompTest, UnknownNamesAreErrorsNamingTheValue) {
  EXPECT_EQ(SeccompActionFromName("SCMP_ACT_FOO", std::nullopt).error().message(),
            "unknown seccomp action \"SCMP_ACT_FOO\"");
  EXPECT_EQ(SeccompOpFromName("SCMP_CMP_FOO").error().message(),
            "unknown seccomp operator \"SCMP_CMP_FOO\"");
  EXPECT_EQ(SeccompArchFromName("SCMP_ARCH_FOO").error().message(),
            "unknown seccomp architecture \"SCMP_ARCH_FOO\"");
  EXPECT_EQ(SeccompFlagFromName("SECCOMP_FILTER_FLAG_FOO").error().message(),
            "unknown seccomp flag \"SECCOMP_FILTER_FLAG_FOO\"");
  EXPECT_FALSE(SeccompActionFromName("SCMP_ACT_ALLOW", 1));
  EXPECT_FALSE(SeccompActionFromName("SCMP_ACT_ERRNO", 70000));
}

TEST(SeccompTest, CompileErrorsNameTheField) {
  EXPECT_EQ(CompileError(oci::Seccomp{}), "linux.seccomp.defaultAction is required");
  EXPECT_EQ(CompileError(oci::Seccomp{.default_action = "SCMP_ACT_NOPE"}),
            "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
  EXPECT_EQ(CompileError(oci::Seccomp{.default_action = "SCMP_ACT_ALLOW",
                                      .architectures = {"SCMP_ARCH_Z80"}}),
            "linux.seccomp.architectures: unknown seccomp architecture \"SCMP_ARCH_Z80\"");
  EXPECT_EQ(CompileError(oci::Seccomp{.default_action = "SCMP_ACT_ALLOW",
                                      .flags = {"SECCOMP_FILTER_FLAG_X"}}),
            "linux.seccomp.flags: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"");
  EXPECT_EQ(CompileError(AllowAllBut(
                {Rule({"getcwd"}, "SCMP_ACT_ERRNO"), Rule({"mkdir"}, "SCMP_ACT_BOGUS")})),
            "linux.seccomp.syscalls[1]: unknown seccomp action \"SCMP_ACT_BOGUS\"");
  EXPECT_EQ(CompileError(AllowAllBut({Rule({"getcwd"}, "SCMP_ACT_ERRNO", std::nullopt,
                                           {{.index = 0, .value = 1, .op = "SCMP_CMP_SORTA"}})})),
            "linux.seccomp.syscalls[0]: args: unknown seccomp operator \"SCMP_CMP_SORTA\"");
  EXPECT_EQ(CompileError(AllowAllBut({Rule({"getcwd"}, "SCMP_ACT_ERRNO", std::nullopt,
                                           {{.index = 6, .value = 1, .op = "SCMP_CMP_EQ"}})})),
            "linux.seccomp.syscalls[0]: args: index 6 is out of range (0-5)");
  EXPECT_EQ(CompileError(AllowAllBut({Rule({}, "SCMP_ACT_ERRNO")})),
            "linux.seccomp.syscalls[0]: names is empty");
}

TEST(SeccompTest, NotifyIsRefusedClearly) {
  oci::Seccomp profile = AllowAllBut({Rule({"mkdir"}, "SCMP_ACT_NOTIFY")});
  EXPECT_EQ(CompileError(profile),
            "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath");
  profile.listener_path = "/run/listener.sock";
  EXPECT_NE(CompileError(profile).find("not supported"), std::string::npos);
}

TEST(SeccompTest, CompilesAProfileLikeDockers) {
  oci::Seccomp profile{
      .default_action = "SCMP_ACT_ERRNO",
      .default_errno_ret = ENOSYS,
      .architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"},
      .flags = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
      .syscalls = {
          Rule({"read", "write", "exit_group", "no_such_syscall_anywhere"}, "SCMP_ACT_ALLOW"),
          Rule({"personality"}, "SCMP_ACT_ALLOW", std::nullopt,
               {{.index = 0, .value = 0, .op = "SCMP_CMP_EQ"}}),
          Rule({"clone"}, "SCMP_ACT_ALLOW", std::nullopt,
               {{.index = 0, .value = 0x7E020000, .value_two = 0, .op = "SCMP_CMP_MASKED_EQ"}}),
          // Same action as the default: dropped, not an error.
          Rule({"bpf"}, "SCMP_ACT_ERRNO", ENOSYS),
      }};
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  EXPECT_EQ(filter->skipped_syscalls(), 1);
  EXPECT_EQ(filter->rule_count(), 5);
  EXPECT_TRUE(ValidateSeccomp(profile));
}

TEST(SeccompTest, RepeatedArgumentIndexBecomesSeparateRules) {
  oci::Seccomp profile = AllowAllBut({Rule({"getpgid"}, "SCMP_ACT_ERRNO", std::nullopt,
                                           {{.index = 0, .value = 111, .op = "SCMP_CMP_EQ"},
                                            {.index = 0, .value = 222, .op = "SCMP_CMP_EQ"}})});
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  EXPECT_EQ(filter->rule_count(), 2);
}

TEST(SeccompTest, DeniedSyscallsReturnTheirErrno) {
  oci::Seccomp profile = AllowAllBut({Rule({"getcwd"}, "SCMP_ACT_ERRNO", EACCES),
                                      Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 77),
                                      Rule({"chdir"}, "SCMP_ACT_ERRNO")});
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  int code = RunInChildForExitCode([&] {
    if (!LoadInChild(*filter)) return kLoadFailed;
    char buf[PATH_MAX];
    bool ok = FailsWith(syscall(SYS_getcwd, buf, sizeof buf), EACCES) &&
              FailsWith(syscall(SYS_mkdir, "/tmp/cocoon-seccomp-never", 0700), 77) &&
              FailsWith(syscall(SYS_mkdirat, AT_FDCWD, "/tmp/cocoon-seccomp-never", 0700), 77) &&
              FailsWith(syscall(SYS_chdir, "/"), EPERM) && syscall(SYS_getpid) > 0;
    return ok ? kOk : kWrongResult;
  });
  EXPECT_EQ(code, kOk);
}

TEST(SeccompTest, DefaultErrnoProfileDeniesEverythingElse) {
  oci::Seccomp profile{.default_action = "SCMP_ACT_ERRNO",
                       .default_errno_ret = ENOSYS,
                       .syscalls = {Rule({"exit", "exit_group", "getpid"}, "SCMP_ACT_ALLOW")}};
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  int code = RunInChildForExitCode([&] {
    if (!LoadInChild(*filter)) return kLoadFailed;
    bool ok = FailsWith(syscall(SYS_getppid), ENOSYS) && FailsWith(syscall(SYS_getuid), ENOSYS) &&
              syscall(SYS_getpid) > 0;
    return ok ? kOk : kWrongResult;
  });
  EXPECT_EQ(code, kOk);
}

TEST(SeccompTest, ArgumentConditionsSelectTheCall) {
  oci::Seccomp profile = AllowAllBut({
      // Either value of arg 0 is denied (two rules), any other is allowed.
      Rule({"getpgid"}, "SCMP_ACT_ERRNO", 55,
           {{.index = 0, .value = 111111, .op = "SCMP_CMP_EQ"},
            {.index = 0, .value = 222222, .op = "SCMP_CMP_EQ"}}),
      // umask with the 0o100 bit set is denied.
      Rule({"umask"}, "SCMP_ACT_ERRNO", 56,
           {{.index = 0, .value = 0100, .value_two = 0100, .op = "SCMP_CMP_MASKED_EQ"}}),
  });
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  int code = RunInChildForExitCode([&] {
    if (!LoadInChild(*filter)) return kLoadFailed;
    bool ok = FailsWith(syscall(SYS_getpgid, 111111), 55) &&
              FailsWith(syscall(SYS_getpgid, 222222), 55) && syscall(SYS_getpgid, 0) > 0 &&
              FailsWith(syscall(SYS_umask, 0177), 56) && syscall(SYS_umask, 022) >= 0;
    return ok ? kOk : kWrongResult;
  });
  EXPECT_EQ(code, kOk);
}

TEST(SeccompTest, KillActionKillsTheChild) {
  oci::Seccomp profile = AllowAllBut({Rule({"getppid"}, "SCMP_ACT_KILL_PROCESS")});
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  int code = RunInChildForExitCode([&] {
    if (!LoadInChild(*filter)) return kLoadFailed;
    syscall(SYS_getppid);
    return kWrongResult;
  });
  EXPECT_EQ(code, 128 + SIGSYS);
}

TEST(SeccompTest, MovedFilterStillLoads) {
  auto filter = SeccompFilter::Compile(AllowAllBut({Rule({"getcwd"}, "SCMP_ACT_ERRNO", ENOTSUP)}));
  ASSERT_TRUE(filter) << filter.error().message();
  SeccompFilter moved = std::move(*filter);
  SeccompFilter assigned = *SeccompFilter::Compile(AllowAllBut({}));
  assigned = std::move(moved);
  int code = RunInChildForExitCode([&] {
    if (!LoadInChild(assigned)) return kLoadFailed;
    char buf[PATH_MAX];
    return FailsWith(syscall(SYS_getcwd, buf, sizeof buf), ENOTSUP) ? kOk : kWrongResult;
  });
  EXPECT_EQ(code, kOk);
}

TEST(SeccompTest, ExportedProgramLoadsWithARawSyscall) {
  oci::Seccomp profile = AllowAllBut({Rule({"getcwd"}, "SCMP_ACT_ERRNO", EROFS)});
  profile.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  auto filter = SeccompFilter::Compile(profile);
  ASSERT_TRUE(filter) << filter.error().message();
  auto program = filter->Export();
  ASSERT_TRUE(program) << program.error().message();
  EXPECT_GT(program->instructions.size(), 3u);
  EXPECT_EQ(program->flags, static_cast<unsigned>(SECCOMP_FILTER_FLAG_LOG));
  int code = RunInChildForExitCode([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || !LoadSeccompProgram(*program))
      return kLoadFailed;
    char buf[PATH_MAX];
    return FailsWith(syscall(SYS_getcwd, buf, sizeof buf), EROFS) ? kOk : kWrongResult;
  });
  EXPECT_EQ(code, kOk);
}

}  // namespace
}  // namespace cocoon::linux
