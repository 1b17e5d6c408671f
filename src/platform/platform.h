// The platform interface: how the kernel runs guest code. A Context is one guest
// address space with one guest thread in it; the kernel maps ranges of the memory
// file into it and switches into it until the guest makes a syscall or faults.
// ptrace implements it now; systrap and kvm slot in behind the same interface.
#pragma once

#include <sys/user.h>

#include <cstdint>
#include <memory>

#include "base/error.h"

namespace cocoon::platform {

using Registers = user_regs_struct;
using FpRegisters = user_fpregs_struct;  // the FXSAVE image

// Guest addresses are below this; the platform keeps the pages above for itself.
inline constexpr uint64_t kMaxGuestAddress = 0x7ff000000000;
inline constexpr uint64_t kPageSize = 4096;

// Why Switch returned.
enum class StopReason {
  kSyscall,      // the guest made a syscall: orig_rax and the argument registers hold it
  kSignal,       // a synchronous fault or trap (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP)
  kInterrupted,  // Interrupt() was called (or a stray host signal): check for work and switch again
  kExited,       // the context died (killed from outside): it cannot run again
};

struct Stop {
  StopReason reason = StopReason::kSyscall;
  int signo = 0;             // kSignal: the host signal the guest raised
  int code = 0;              // kSignal: si_code (SEGV_MAPERR, ...)
  uint64_t fault_addr = 0;   // kSignal: si_addr
};

// Owned and used by one host thread (the one that created it: with ptrace, the
// tracer); only Interrupt() may be called from other threads.
class Context {
 public:
  virtual ~Context() = default;

  // Maps [addr, addr+len) of the guest to the memory file at `offset`, replacing
  // whatever was there (MAP_SHARED|MAP_FIXED of the memory file).
  virtual Result<> Map(uint64_t addr, uint64_t len, int prot, uint64_t offset) = 0;
  virtual Result<> Unmap(uint64_t addr, uint64_t len) = 0;
  virtual Result<> Protect(uint64_t addr, uint64_t len, int prot) = 0;

  // Runs the guest thread with `regs` until it stops; `regs` then holds its
  // registers at the stop.
  virtual Result<Stop> Switch(Registers& regs) = 0;
  virtual Result<> GetFpRegisters(FpRegisters* fp) = 0;
  virtual Result<> SetFpRegisters(const FpRegisters& fp) = 0;

  // Makes a running Switch return kInterrupted soon (from any thread).
  virtual void Interrupt() = 0;
};

class Platform {
 public:
  virtual ~Platform() = default;
  // A new, empty address space with one thread, owned by the calling thread.
  virtual Result<std::unique_ptr<Context>> NewContext() = 0;
};

// The ptrace platform over a memory file `memfd` (not owned; must outlive it).
Result<std::unique_ptr<Platform>> NewPtracePlatform(int memfd);

}  // namespace cocoon::platform
