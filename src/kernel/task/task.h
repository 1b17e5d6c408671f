// Tasks (guest threads) and thread groups (guest processes). Each task runs on
// its own host thread, which is also the tracer of the task's platform context.
// Ownership: the Kernel's tables hold shared_ptrs; a task's host thread holds
// one to its task until it returns. All fields are guarded by the kernel lock.
#pragma once

#include <signal.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kernel/mm/memory_manager.h"
#include "kernel/sync/wait_queue.h"
#include "kernel/task/task_files.h"
#include "platform/platform.h"

namespace cocoon::kernel {

class Kernel;
class Task;

using SigSet = uint64_t;
inline constexpr int kNumSignals = 64;
inline constexpr SigSet SigBit(int sig) { return SigSet{1} << (sig - 1); }
inline constexpr SigSet kUnblockable = SigBit(SIGKILL) | SigBit(SIGSTOP);

// The kernel's struct sigaction for x86-64 (what rt_sigaction copies).
struct SignalAction {
  uint64_t handler = 0;  // SIG_DFL (0), SIG_IGN (1), or a guest address
  uint64_t flags = 0;
  uint64_t restorer = 0;
  SigSet mask = 0;
};

// A guest process.
class ThreadGroup {
 public:
  int pid = 0;               // thread group id in the sandbox's pid namespace
  int pgid = 0;
  int sid = 0;
  std::weak_ptr<ThreadGroup> parent;
  std::vector<std::shared_ptr<ThreadGroup>> children;  // live and zombie
  std::vector<std::shared_ptr<Task>> tasks;             // live threads
  int exit_signal = SIGCHLD;                            // sent to the parent at exit
  std::array<SignalAction, kNumSignals + 1> actions{};  // by signal number

  // Exit and job-control state, reported by wait4/waitid.
  bool zombie = false;
  int wait_status = 0;        // as wait4 reports it
  bool stopped = false;
  int stop_signal = 0;
  bool stop_reported = true;
  bool continued_reported = true;
  bool exiting = false;       // exit_group or a fatal signal is tearing it down

  WaitQueue child_events;     // a child exited, stopped or continued
  WaitQueue stop_events;      // this group was continued (or killed)
  std::string name;           // comm
  // What execve was given, for /proc/<pid>/{cmdline,environ,exe}.
  std::string cmdline;        // the arguments, each ended by a NUL
  std::string environ;        // the environment, the same way
  std::string exe;            // the program's path
};

class Task : public std::enable_shared_from_this<Task> {
 public:
  Task(Kernel& kernel, int tid, std::shared_ptr<ThreadGroup> group) : kernel_(kernel), tid_(tid), group_(group) {}

  Kernel& kernel() { return kernel_; }
  int tid() const { return tid_; }
  ThreadGroup& group() { return *group_; }
  std::shared_ptr<ThreadGroup> group_ptr() { return group_; }
  MemoryManager& mm() { return *mm_; }
  std::shared_ptr<MemoryManager>& mm_ptr() { return mm_; }
  TaskFiles* files() { return files_.get(); }
  std::shared_ptr<TaskFiles>& files_ptr() { return files_; }
  platform::Registers& regs() { return regs_; }
  platform::Context* context() { return context_.get(); }

  // Signals.
  SigSet blocked() const { return blocked_; }
  void set_blocked(SigSet mask) { blocked_ = mask & ~kUnblockable; }
  SigSet pending() const { return pending_; }
  // Queues a signal for this task and wakes it (from any task's thread).
  void QueueSignal(const siginfo_t& info);
  // Takes the lowest pending, unblocked signal off the queue; 0 if none.
  int DequeueSignal(siginfo_t* info);
  void DiscardSignals(SigSet set) { pending_ &= ~set; }
  // True when a blocking wait must end: an unblocked signal is pending or the task is dying.
  bool Interrupted() const { return killed_ || (pending_ & ~blocked_) != 0; }
  stack_t& altstack() { return altstack_; }
  // Saved mask to restore after a signal handler set up by sigsuspend-like calls.
  std::optional<SigSet>& saved_mask() { return saved_mask_; }

  // Wakes the task wherever it is: sleeping on a WaitQueue or running guest code.
  void Wake();
  void set_waiting_on(WaitQueue* queue) { waiting_on_ = queue; }
  // Marks the task for death (SIGKILL, exit_group of a sibling, init's death).
  void Kill() {
    killed_ = true;
    Wake();
  }
  bool killed() const { return killed_; }
  // exit/exit_group: the task leaves its run loop with this wait status.
  void ExitWith(int wait_status);

  uint64_t clear_child_tid = 0;  // set_tid_address / CLONE_CHILD_CLEARTID
  std::optional<platform::FpRegisters> initial_fp;  // a forked child's FP state
  std::shared_ptr<bool> vfork_done;                 // set when a vfork child execs or exits
  WaitQueue* vfork_waiters = nullptr;

  // The host thread's body: creates the platform context, runs the guest
  // until the task exits, then tears down. Called with the kernel lock held.
  void Run(std::unique_lock<std::mutex>& lock);
  // Swaps in a freshly loaded address space (execve, the first program).
  Result<> InstallMm(std::shared_ptr<MemoryManager> mm);
  void set_mm(std::shared_ptr<MemoryManager> mm) { mm_ = std::move(mm); }
  void set_files(std::shared_ptr<TaskFiles> files) { files_ = std::move(files); }
  void set_regs(const platform::Registers& regs) { regs_ = regs; }

  // Set after a syscall returned a restart code, for signal delivery to resolve.
  bool in_syscall = false;

 private:
  void HandleStop(const platform::Stop& stop);
  void TearDown();

  Kernel& kernel_;
  int tid_;
  std::shared_ptr<ThreadGroup> group_;
  std::shared_ptr<MemoryManager> mm_;
  std::shared_ptr<TaskFiles> files_;
  std::unique_ptr<platform::Context> context_;
  platform::Registers regs_{};

  SigSet blocked_ = 0;
  SigSet pending_ = 0;
  std::array<siginfo_t, kNumSignals + 1> pending_info_{};
  stack_t altstack_{.ss_sp = nullptr, .ss_flags = SS_DISABLE, .ss_size = 0};
  std::optional<SigSet> saved_mask_;
  WaitQueue* waiting_on_ = nullptr;
  bool killed_ = false;
  bool exited_ = false;
  int exit_status_ = 0;
  bool running_guest_ = false;
};

}  // namespace cocoon::kernel
