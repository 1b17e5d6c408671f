// A task's run loop on its host thread: switch into the guest, handle what
// stopped it (a syscall, a fault, an interrupt), deliver signals, repeat.
#include "kernel/task/task.h"

#include <cerrno>

#include "base/log.h"
#include "kernel/kernel.h"
#include "kernel/signal/signal.h"
#include "kernel/sync/futex.h"
#include "kernel/sync/kernel_lock.h"
#include "kernel/syscalls/dispatch.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/task/exit.h"

namespace cocoon::kernel {

void Task::QueueSignal(const siginfo_t& info) {
  int sig = info.si_signo;
  if (sig < 1 || sig > kNumSignals) return;
  // Standard signals do not queue twice; the first siginfo wins.
  if (!(pending_ & SigBit(sig))) pending_info_[sig] = info;
  pending_ |= SigBit(sig);
  if (!(blocked_ & SigBit(sig)) || sig == SIGKILL) Wake();
}

int Task::DequeueSignal(siginfo_t* info) {
  SigSet ready = pending_ & ~blocked_;
  if (ready == 0) return 0;
  // Synchronous faults first, as Linux does, then the lowest number.
  constexpr SigSet kSync = SigBit(SIGSEGV) | SigBit(SIGBUS) | SigBit(SIGILL) | SigBit(SIGTRAP) | SigBit(SIGFPE);
  SigSet pick = (ready & kSync) ? (ready & kSync) : ready;
  int sig = __builtin_ctzll(pick) + 1;
  pending_ &= ~SigBit(sig);
  *info = pending_info_[sig];
  return sig;
}

void Task::Wake() {
  if (waiting_on_) waiting_on_->Notify();
  if (running_guest_ && context_) context_->Interrupt();
}

void Task::ExitWith(int wait_status) {
  exited_ = true;
  exit_status_ = wait_status;
}

Result<> Task::InstallMm(std::shared_ptr<MemoryManager> mm) {
  if (mm_) mm_->Detach();
  if (context_) {
    TRY_CTX(context_->Unmap(0, kMaxGuestAddress), "clearing the old address space");
    TRY(mm->Attach(context_.get()));
  }
  mm_ = std::move(mm);
  return {};
}

void Task::Run(std::unique_lock<std::mutex>& lock) {
  auto ctx = kernel_.platform().NewContext();
  if (!ctx) {
    log::Error("kernel: task {}: {}", tid_, ctx.error().message());
    ExitWith(SIGKILL);
    TearDown();
    return;
  }
  context_ = std::move(*ctx);
  if (auto attached = mm_->Attach(context_.get()); !attached) {
    log::Error("kernel: task {}: {}", tid_, attached.error().message());
    ExitWith(SIGKILL);
  }
  if (initial_fp) {
    if (auto set = context_->SetFpRegisters(*initial_fp); !set) log::Warn("kernel: {}", set.error().message());
    initial_fp.reset();
  }
  while (!exited_) {
    if (killed_) {
      ExitWith(group_->wait_status ? group_->wait_status : SIGKILL);
      break;
    }
    DeliverSignals(*this);
    if (exited_ || killed_) continue;
    running_guest_ = true;
    lock.unlock();
    auto stop = context_->Switch(regs_);
    lock.lock();
    running_guest_ = false;
    if (!stop) {
      log::Error("kernel: task {}: {}", tid_, stop.error().message());
      ExitGroup(*this, SIGKILL);
      continue;
    }
    HandleStop(*stop);
  }
  TearDown();
}

void Task::HandleStop(const platform::Stop& stop) {
  switch (stop.reason) {
    case platform::StopReason::kSyscall:
      DispatchSyscall(*this);
      break;
    case platform::StopReason::kSignal: {
      // A write to a page held back for copy-on-write: resolved, the guest
      // retries the instruction and never sees a signal.
      if (stop.signo == SIGSEGV && stop.code == SEGV_ACCERR && mm_->HandleFault(stop.fault_addr)) break;
      siginfo_t info{};
      info.si_signo = stop.signo;
      info.si_code = stop.code;
      info.si_addr = reinterpret_cast<void*>(stop.fault_addr);
      ForceSignal(*this, info);
      break;
    }
    case platform::StopReason::kInterrupted:
      break;
    case platform::StopReason::kExited:
      ExitGroup(*this, SIGKILL);
      break;
  }
}

void Task::TearDown() {
  // CLONE_CHILD_CLEARTID: zero the tid word and wake its futex (pthread_join).
  if (clear_child_tid && mm_) {
    uint32_t zero = 0;
    if (CopyOutObj(*this, clear_child_tid, zero) == 0) Futexes().Wake(*this, clear_child_tid, 1, ~0u);
  }
  if (mm_) mm_->Detach();
  context_.reset();  // kills and reaps the stub
  if (vfork_done) {
    *vfork_done = true;
    if (vfork_waiters) vfork_waiters->Notify();
    vfork_done.reset();
  }
  mm_.reset();
  files_.reset();
  FinishExit(*this, exit_status_);
}

int64_t CopyIn(Task& task, uint64_t addr, void* dst, size_t len) { return task.mm().CopyIn(addr, dst, len); }

int64_t CopyOut(Task& task, uint64_t addr, const void* src, size_t len) {
  return task.mm().CopyOut(addr, src, len);
}

int64_t CopyInString(Task& task, uint64_t addr, size_t max_len, std::string* out) {
  return task.mm().CopyInString(addr, max_len, out);
}

}  // namespace cocoon::kernel
