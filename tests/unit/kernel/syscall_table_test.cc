// The syscall table is data: its rows agree with the host's numbering and with each other.
#include <sys/syscall.h>

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "kernel/kernel.h"
#include "kernel/signal/default_action.h"
#include "kernel/syscalls/dispatch.h"

namespace cocoon::kernel {
namespace {

TEST(SyscallTableTest, RowsCarryTheirOwnNumberAndAUniqueName) {
  std::set<std::string_view> names;
  int rows = 0;
  for (uint64_t nr = 0; nr < 1024; ++nr) {
    const SyscallInfo* info = LookupSyscall(nr);
    if (!info) continue;
    ++rows;
    EXPECT_EQ(static_cast<uint64_t>(info->nr), nr) << info->name;
    EXPECT_TRUE(names.insert(info->name).second) << "duplicate " << info->name;
  }
  EXPECT_GT(rows, 100);
}

TEST(SyscallTableTest, KnowsTheCommonCallsByName) {
  EXPECT_EQ(LookupSyscall(SYS_getpid)->name, "getpid");
  EXPECT_EQ(LookupSyscall(SYS_rt_sigreturn)->name, "rt_sigreturn");
  EXPECT_NE(LookupSyscall(SYS_execve)->handler, nullptr);
  EXPECT_EQ(LookupSyscall(SYS_rseq)->handler, nullptr);  // known, unimplemented: ENOSYS
  EXPECT_EQ(LookupSyscall(999), nullptr);
  EXPECT_EQ(LookupSyscall(~uint64_t{0}), nullptr);
}

TEST(ShellStatusTest, ExitCodesAndSignals) {
  EXPECT_EQ(ShellStatus(3 << 8), 3);
  EXPECT_EQ(ShellStatus(SIGKILL), 128 + SIGKILL);
  EXPECT_EQ(ShellStatus(SIGSEGV | 0x80), 128 + SIGSEGV);  // core dumped
}

TEST(DefaultActionTest, FollowsSignal7) {
  EXPECT_EQ(kDefaultActions[SIGTERM], DefaultAction::kTerminate);
  EXPECT_EQ(kDefaultActions[SIGSEGV], DefaultAction::kCore);
  EXPECT_EQ(kDefaultActions[SIGCHLD], DefaultAction::kIgnore);
  EXPECT_EQ(kDefaultActions[SIGTSTP], DefaultAction::kStop);
  EXPECT_EQ(kDefaultActions[SIGCONT], DefaultAction::kContinue);
  EXPECT_EQ(kDefaultActions[SIGRTMIN], DefaultAction::kTerminate);
}

}  // namespace
}  // namespace cocoon::kernel
