// The ptrace platform runs guest code in a stub: syscalls stop, faults report, mappings mirror.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "base/unique_fd.h"
#include "platform/platform.h"

namespace cocoon::platform {
namespace {

constexpr uint64_t kCodeAddr = 0x10000;

// mov $39,%eax; syscall; movb $0,(0); (faults at address 0)
constexpr unsigned char kGetpidThenFault[] = {0xb8, 0x27, 0x00, 0x00, 0x00, 0x0f, 0x05,
                                              0xc6, 0x04, 0x25, 0x00, 0x00, 0x00, 0x00, 0x00};

class PtraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    memfd_.reset(memfd_create("ptrace_test", MFD_CLOEXEC));
    ASSERT_TRUE(memfd_.valid());
    ASSERT_EQ(ftruncate(memfd_.get(), 1 << 20), 0);
    ASSERT_EQ(pwrite(memfd_.get(), kGetpidThenFault, sizeof(kGetpidThenFault), 0),
              static_cast<ssize_t>(sizeof(kGetpidThenFault)));
    auto platform = NewPtracePlatform(memfd_.get());
    ASSERT_TRUE(platform) << platform.error().message();
    platform_ = std::move(*platform);
    auto ctx = platform_->NewContext();
    if (!ctx && ctx.error().code() == EPERM) GTEST_SKIP() << "ptrace not permitted: " << ctx.error().message();
    ASSERT_TRUE(ctx) << ctx.error().message();
    ctx_ = std::move(*ctx);
  }

  Registers StartRegs() {
    Registers regs{};
    regs.rip = kCodeAddr;
    regs.cs = 0x33;
    regs.ss = 0x2b;
    regs.eflags = 0x202;
    return regs;
  }

  UniqueFd memfd_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<Context> ctx_;
};

TEST_F(PtraceTest, SyscallStopsThenFaultReports) {
  ASSERT_TRUE(ctx_->Map(kCodeAddr, 4096, PROT_READ | PROT_EXEC, 0));
  Registers regs = StartRegs();
  auto stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop) << stop.error().message();
  EXPECT_EQ(stop->reason, StopReason::kSyscall);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getpid));
  regs.rax = 4242;
  stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop) << stop.error().message();
  EXPECT_EQ(stop->reason, StopReason::kSignal);
  EXPECT_EQ(stop->signo, SIGSEGV);
  EXPECT_EQ(stop->fault_addr, 0u);
  EXPECT_EQ(regs.rax, 4242u);
  EXPECT_EQ(regs.rip, kCodeAddr + 7);
}

TEST_F(PtraceTest, UnmappedCodeFaults) {
  ASSERT_TRUE(ctx_->Map(kCodeAddr, 4096, PROT_READ | PROT_EXEC, 0));
  ASSERT_TRUE(ctx_->Unmap(kCodeAddr, 4096));
  Registers regs = StartRegs();
  auto stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->reason, StopReason::kSignal);
  EXPECT_EQ(stop->fault_addr, kCodeAddr);
}

TEST_F(PtraceTest, ProtectRemovesExecute) {
  ASSERT_TRUE(ctx_->Map(kCodeAddr, 4096, PROT_READ | PROT_EXEC, 0));
  ASSERT_TRUE(ctx_->Protect(kCodeAddr, 4096, PROT_READ));
  Registers regs = StartRegs();
  auto stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->reason, StopReason::kSignal);
  EXPECT_EQ(stop->signo, SIGSEGV);
}

TEST_F(PtraceTest, InterruptStopsASwitch) {
  ASSERT_TRUE(ctx_->Map(kCodeAddr, 4096, PROT_READ | PROT_EXEC, 0));
  ctx_->Interrupt();
  Registers regs = StartRegs();
  auto stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->reason, StopReason::kInterrupted);
  stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->reason, StopReason::kSyscall);
}

TEST_F(PtraceTest, ContextSeesMemoryFileWrites) {
  // The stub maps the memory file shared: a write through the file is what the guest runs.
  ASSERT_TRUE(ctx_->Map(kCodeAddr, 4096, PROT_READ | PROT_EXEC, 0));
  const unsigned char getppid[] = {0xb8, 0x6e};  // mov $110,%eax
  ASSERT_EQ(pwrite(memfd_.get(), getppid, sizeof(getppid), 0), 2);
  Registers regs = StartRegs();
  auto stop = ctx_->Switch(regs);
  ASSERT_TRUE(stop);
  EXPECT_EQ(regs.orig_rax, static_cast<uint64_t>(SYS_getppid));
}

}  // namespace
}  // namespace cocoon::platform
