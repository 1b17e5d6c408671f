// The ptrace platform: each Context is a stub process, forked by the thread that
// will trace it, stripped to one code page, run under PTRACE_SYSEMU.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>

#include "base/error.h"
#include "platform/platform.h"

namespace cocoon::platform::ptrace {

class PtraceContext : public Context {
 public:
  // Forks a stub that shares `memfd`, traced by the calling thread. Pins the
  // calling thread and the stub to one CPU: a cross-CPU wakeup per syscall would
  // cost 20-60x (DESIGN.md).
  static Result<std::unique_ptr<PtraceContext>> Create(int memfd);
  ~PtraceContext() override;

  Result<> Map(uint64_t addr, uint64_t len, int prot, uint64_t offset) override;
  Result<> Unmap(uint64_t addr, uint64_t len) override;
  Result<> Protect(uint64_t addr, uint64_t len, int prot) override;
  Result<Stop> Switch(Registers& regs) override;
  Result<> GetFpRegisters(FpRegisters* fp) override;
  Result<> SetFpRegisters(const FpRegisters& fp) override;
  void Interrupt() override;

  pid_t pid() const { return pid_; }

 private:
  PtraceContext(pid_t pid, int memfd) : pid_(pid), memfd_(memfd) {}
  // Runs one syscall inside the stub; returns its raw result (-errno on failure).
  Result<int64_t> Inject(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3 = 0,
                         uint64_t a4 = 0, uint64_t a5 = 0);
  // Waits for the stub's next stop; an exit is an error.
  Result<int> WaitStop();

  pid_t pid_;
  int memfd_;
  bool dead_ = false;
};

}  // namespace cocoon::platform::ptrace
