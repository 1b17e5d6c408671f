// Stub processes under PTRACE_SYSEMU: creation, syscall injection, switching.
#include "platform/ptrace/ptrace_context.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "platform/ptrace/stub_code.h"

namespace cocoon::platform::ptrace {
namespace {

// The highest user address on x86-64 with 4-level paging (TASK_SIZE).
constexpr uint64_t kTaskSize = 0x7ffffffff000;
constexpr uint64_t kStubPage = kMaxGuestAddress;
// Sent to a stub to make a running Switch return (see Interrupt()).
constexpr int kInterruptSignal = SIGSTOP;

// The child builds its stub page itself (MAP_FIXED over whatever its copy of
// our address space had there), so the kernel never needs that address free.
// Only the code the child is running and its stack must not be there.
Result<> CheckStubPageClear() {
  auto near = [](uint64_t addr) { return addr + (1 << 20) > kStubPage && addr < kStubPage + kPageSize + (1 << 20); };
  auto sp = reinterpret_cast<uint64_t>(__builtin_frame_address(0));
  auto code = reinterpret_cast<uint64_t>(&CheckStubPageClear);
  if (near(sp) || near(code)) return std::unexpected(Errorf("ptrace platform: this thread's stack or code is near the stub page {:#x}", kStubPage));
  return {};
}

// The CPU this thread runs on, if it may run there; else the first allowed one.
int PickCpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) return -1;
  int cpu = sched_getcpu();
  if (cpu >= 0 && CPU_ISSET(cpu, &allowed)) return cpu;
  for (int i = 0; i < CPU_SETSIZE; ++i) {
    if (CPU_ISSET(i, &allowed)) return i;
  }
  return -1;
}

void PinToCpu(pid_t tid, int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(tid, sizeof(set), &set);  // best effort: only a speed matter
}

// glibc registered this thread's rseq area; the kernel would write to it (now
// unmapped in the stub) on every preemption and kill the stub with SIGSEGV.
void UnregisterRseq() {
  if (__rseq_size == 0) return;
  void* area = static_cast<char*>(__builtin_thread_pointer()) + __rseq_offset;
  constexpr int kUnregister = 1;  // RSEQ_FLAG_UNREGISTER
  // glibc >= 2.40 reports a smaller __rseq_size than the 32 bytes it registered.
  if (syscall(SYS_rseq, area, __rseq_size, kUnregister, RSEQ_SIG) != 0) {
    syscall(SYS_rseq, area, 32, kUnregister, RSEQ_SIG);
  }
}

// In the forked child: only raw syscalls, then off to the stub page for good.
[[noreturn]] void StubChild(int memfd) {
  UnregisterRseq();
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (memfd > 0) syscall(SYS_close_range, 0, memfd - 1, 0);
  syscall(SYS_close_range, memfd + 1, ~0U, 0);
  sigset_t none;
  sigemptyset(&none);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof(uint64_t));
  syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
  long page = syscall(SYS_mmap, kStubPage, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                      -1, 0);
  if (page != static_cast<long>(kStubPage)) syscall(SYS_exit_group, 127);
  auto* dst = reinterpret_cast<volatile unsigned char*>(kStubPage);
  for (size_t i = 0; i < StubCodeSize(); ++i) dst[i] = cocoon_stub_code_start[i];
  syscall(SYS_mprotect, kStubPage, kPageSize, PROT_READ | PROT_EXEC);
  uint64_t above = kTaskSize - (kStubPage + kPageSize);
  asm volatile(
      "mov %0, %%r12\n"
      "mov %1, %%r13\n"
      "jmp *%0\n" ::"r"(kStubPage),
      "r"(above)
      : "r12", "r13", "memory");
  __builtin_unreachable();
}

}  // namespace

Result<std::unique_ptr<PtraceContext>> PtraceContext::Create(int memfd) {
  TRY(CheckStubPageClear());
  long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return std::unexpected(ErrnoError("forking a ptrace stub"));
  if (pid == 0) StubChild(memfd);
  std::unique_ptr<PtraceContext> ctx(new PtraceContext(static_cast<pid_t>(pid), memfd));
  int sig = TRY_CTX(ctx->WaitStop(), "starting a ptrace stub");
  if (sig != SIGTRAP) {
    Registers regs{};
    siginfo_t info{};
    ::ptrace(PTRACE_GETREGS, ctx->pid_, 0, &regs);
    ::ptrace(PTRACE_GETSIGINFO, ctx->pid_, 0, &info);
    return std::unexpected(Errorf("ptrace stub: first stop was signal {} (rip {:#x}, addr {}), not SIGTRAP", sig,
                                  regs.rip, info.si_addr));
  }
  long options = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD;
  if (::ptrace(PTRACE_SETOPTIONS, ctx->pid_, 0, options) != 0) {
    return std::unexpected(ErrnoError("PTRACE_SETOPTIONS on the stub"));
  }
  int cpu = PickCpu();
  PinToCpu(0, cpu);
  PinToCpu(ctx->pid_, cpu);
  return ctx;
}

PtraceContext::~PtraceContext() {
  ::kill(pid_, SIGKILL);
  int status;
  while (waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
  }
}

Result<int> PtraceContext::WaitStop() {
  int status;
  while (true) {
    pid_t got = waitpid(pid_, &status, __WALL);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(ErrnoError(fmt::format("waitpid on stub {}", pid_)));
    break;
  }
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    dead_ = true;
    return std::unexpected(Errorf("stub {} died (status {:#x})", pid_, status));
  }
  return WSTOPSIG(status);
}

Result<int64_t> PtraceContext::Inject(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
                                      uint64_t a3, uint64_t a4, uint64_t a5) {
  Registers regs{};
  if (::ptrace(PTRACE_GETREGS, pid_, 0, &regs) != 0) {
    return std::unexpected(ErrnoError("PTRACE_GETREGS on the stub"));
  }
  regs.rax = nr;
  regs.orig_rax = static_cast<uint64_t>(-1);
  regs.rdi = a0;
  regs.rsi = a1;
  regs.rdx = a2;
  regs.r10 = a3;
  regs.r8 = a4;
  regs.r9 = a5;
  regs.rip = kStubPage + StubSyscallOffset();
  if (::ptrace(PTRACE_SETREGS, pid_, 0, &regs) != 0) {
    return std::unexpected(ErrnoError("PTRACE_SETREGS on the stub"));
  }
  if (::ptrace(PTRACE_CONT, pid_, 0, 0) != 0) return std::unexpected(ErrnoError("PTRACE_CONT"));
  while (true) {
    int sig = TRY(WaitStop());
    if (sig == SIGTRAP) break;
    siginfo_t info{};
    ::ptrace(PTRACE_GETSIGINFO, pid_, 0, &info);
    if (info.si_code > 0) return std::unexpected(Errorf("stub {} faulted (signal {}) in an injected syscall", pid_, sig));
    // An interrupt or a stray signal arrived first: drop it, let the syscall run.
    if (::ptrace(PTRACE_CONT, pid_, 0, 0) != 0) return std::unexpected(ErrnoError("PTRACE_CONT"));
  }
  if (::ptrace(PTRACE_GETREGS, pid_, 0, &regs) != 0) {
    return std::unexpected(ErrnoError("PTRACE_GETREGS on the stub"));
  }
  return static_cast<int64_t>(regs.rax);
}

namespace {
Result<> CheckInjected(Result<int64_t> ret, std::string_view what, uint64_t addr, uint64_t len) {
  if (!ret) return std::unexpected(ret.error().Wrap(what));
  if (*ret < 0 && *ret > -4096) {
    return std::unexpected(ErrnoError(fmt::format("stub {} [{:#x}, +{:#x})", what, addr, len),
                                      static_cast<int>(-*ret)));
  }
  return {};
}
}  // namespace

Result<> PtraceContext::Map(uint64_t addr, uint64_t len, int prot, uint64_t offset) {
  return CheckInjected(Inject(SYS_mmap, addr, len, prot, MAP_SHARED | MAP_FIXED, memfd_, offset),
                       "mmap", addr, len);
}

Result<> PtraceContext::Unmap(uint64_t addr, uint64_t len) {
  return CheckInjected(Inject(SYS_munmap, addr, len, 0), "munmap", addr, len);
}

Result<> PtraceContext::Protect(uint64_t addr, uint64_t len, int prot) {
  return CheckInjected(Inject(SYS_mprotect, addr, len, prot), "mprotect", addr, len);
}

Result<Stop> PtraceContext::Switch(Registers& regs) {
  if (dead_) return Stop{.reason = StopReason::kExited};
  if (::ptrace(PTRACE_SETREGS, pid_, 0, &regs) != 0) {
    return std::unexpected(ErrnoError("PTRACE_SETREGS on the stub"));
  }
  if (::ptrace(PTRACE_SYSEMU, pid_, 0, 0) != 0) return std::unexpected(ErrnoError("PTRACE_SYSEMU"));
  auto sig = WaitStop();
  if (!sig) {
    if (dead_) return Stop{.reason = StopReason::kExited};
    return std::unexpected(sig.error());
  }
  if (::ptrace(PTRACE_GETREGS, pid_, 0, &regs) != 0) {
    return std::unexpected(ErrnoError("PTRACE_GETREGS on the stub"));
  }
  if (*sig == (SIGTRAP | 0x80)) return Stop{.reason = StopReason::kSyscall};
  siginfo_t info{};
  if (::ptrace(PTRACE_GETSIGINFO, pid_, 0, &info) != 0) {
    return std::unexpected(ErrnoError("PTRACE_GETSIGINFO"));
  }
  // Faults and traps come from the guest's own instructions (si_code > 0);
  // anything sent (kill, tgkill) is an interrupt or noise from the host.
  if (info.si_code <= 0 || *sig == kInterruptSignal) return Stop{.reason = StopReason::kInterrupted};
  return Stop{.reason = StopReason::kSignal,
              .signo = *sig,
              .code = info.si_code,
              .fault_addr = reinterpret_cast<uint64_t>(info.si_addr)};
}

Result<> PtraceContext::GetFpRegisters(FpRegisters* fp) {
  if (::ptrace(PTRACE_GETFPREGS, pid_, 0, fp) != 0) return std::unexpected(ErrnoError("PTRACE_GETFPREGS"));
  return {};
}

Result<> PtraceContext::SetFpRegisters(const FpRegisters& fp) {
  if (::ptrace(PTRACE_SETFPREGS, pid_, 0, &fp) != 0) return std::unexpected(ErrnoError("PTRACE_SETFPREGS"));
  return {};
}

void PtraceContext::Interrupt() { syscall(SYS_tgkill, pid_, pid_, kInterruptSignal); }

}  // namespace cocoon::platform::ptrace
