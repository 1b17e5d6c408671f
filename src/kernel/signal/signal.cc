// Signal sending and the delivery step run before each return to the guest.
#include "kernel/signal/signal.h"

#include <cerrno>

#include "kernel/kernel.h"
#include "kernel/signal/default_action.h"
#include "kernel/signal/frame.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/task/exit.h"

namespace cocoon::kernel {
namespace {

constexpr SigSet kStopSignals = SigBit(SIGSTOP) | SigBit(SIGTSTP) | SigBit(SIGTTIN) | SigBit(SIGTTOU);

bool IsDefault(const SignalAction& action) { return action.handler == reinterpret_cast<uint64_t>(SIG_DFL); }
bool IsIgnore(const SignalAction& action) { return action.handler == reinterpret_cast<uint64_t>(SIG_IGN); }

// Signals that would do nothing on delivery are dropped when sent (unless blocked).
bool Ignored(const ThreadGroup& group, int sig) {
  if (sig == SIGKILL || sig == SIGSTOP) return false;
  const SignalAction& action = group.actions[sig];
  if (IsIgnore(action)) return true;
  if (!IsDefault(action)) return false;
  DefaultAction def = kDefaultActions[sig];
  if (def == DefaultAction::kIgnore || def == DefaultAction::kContinue) return true;
  // The sandbox's init ignores default-action signals from inside (pid namespaces).
  return group.pid == 1;
}

void NotifyParent(ThreadGroup& group, int code, int status) {
  auto parent = group.parent.lock();
  if (!parent) return;
  if (!(parent->actions[SIGCHLD].flags & SA_NOCLDSTOP)) {
    siginfo_t info = UserSigInfo(SIGCHLD, code, group.pid);
    info.si_status = status;
    SendSignalToGroup(*parent, info);
  }
  parent->child_events.Notify();
}

void Continue(ThreadGroup& group) {
  for (auto& task : group.tasks) task->DiscardSignals(kStopSignals);
  if (!group.stopped) return;
  group.stopped = false;
  group.continued_reported = false;
  group.stop_events.Notify();
  NotifyParent(group, CLD_CONTINUED, SIGCONT);
}

// The group stops; this task sleeps until SIGCONT or SIGKILL.
void StopGroup(Task& task, int sig) {
  ThreadGroup& group = task.group();
  if (!group.stopped) {
    group.stopped = true;
    group.stop_signal = sig;
    group.stop_reported = false;
    NotifyParent(group, CLD_STOPPED, sig);
  }
  while (group.stopped && !task.killed() && !(task.pending() & SigBit(SIGKILL))) {
    group.stop_events.WaitKillable(task);
  }
}

bool IsRestartCode(int64_t ret) {
  return ret == -kErestartSys || ret == -kErestartNoIntr || ret == -kErestartNoHand ||
         ret == -kErestartRestartBlock;
}

void RestartSyscall(Task& task) {
  auto& regs = task.regs();
  regs.rax = regs.orig_rax;
  regs.rip -= 2;  // back onto the syscall instruction
}

// A handler is about to run: was the interrupted syscall restartable?
void ResolveRestartForHandler(Task& task, const SignalAction& action) {
  auto& regs = task.regs();
  auto ret = static_cast<int64_t>(regs.rax);
  if (ret == -kErestartNoIntr || (ret == -kErestartSys && (action.flags & SA_RESTART))) {
    RestartSyscall(task);
  } else {
    regs.rax = static_cast<uint64_t>(-EINTR);
  }
}

}  // namespace

siginfo_t UserSigInfo(int sig, int code, int sender_pid) {
  siginfo_t info{};
  info.si_signo = sig;
  info.si_code = code;
  info.si_pid = sender_pid;
  info.si_uid = 0;
  return info;
}

void SendSignalToTask(Task& task, const siginfo_t& info) {
  ThreadGroup& group = task.group();
  int sig = info.si_signo;
  if (group.zombie || group.exiting) return;
  if (sig == SIGCONT || sig == SIGKILL) Continue(group);
  if (kStopSignals & SigBit(sig)) task.DiscardSignals(SigBit(SIGCONT));
  if (Ignored(group, sig) && !(task.blocked() & SigBit(sig))) return;
  task.QueueSignal(info);
}

void SendSignalToGroup(ThreadGroup& group, const siginfo_t& info) {
  if (group.tasks.empty()) return;
  // Prefer a thread that does not block the signal.
  Task* target = group.tasks.front().get();
  for (auto& task : group.tasks) {
    if (!(task->blocked() & SigBit(info.si_signo))) {
      target = task.get();
      break;
    }
  }
  SendSignalToTask(*target, info);
}

void ForceSignal(Task& task, const siginfo_t& info) {
  int sig = info.si_signo;
  SignalAction& action = task.group().actions[sig];
  if (IsIgnore(action) || (task.blocked() & SigBit(sig))) {
    action = SignalAction{};
    task.set_blocked(task.blocked() & ~SigBit(sig));
  }
  task.QueueSignal(info);
}

void DeliverSignals(Task& task) {
  ThreadGroup& group = task.group();
  auto& regs = task.regs();
  bool restart = task.in_syscall && IsRestartCode(static_cast<int64_t>(regs.rax));
  task.in_syscall = false;
  siginfo_t info;
  while (int sig = task.DequeueSignal(&info)) {
    SignalAction action = group.actions[sig];
    if (sig == SIGKILL || (IsDefault(action) && sig != SIGSTOP)) {
      DefaultAction def = kDefaultActions[sig];
      if (def == DefaultAction::kIgnore || def == DefaultAction::kContinue) continue;
      if (def == DefaultAction::kStop) {
        StopGroup(task, sig);
        continue;
      }
      ExitGroup(task, SignaledStatus(sig, def == DefaultAction::kCore));
      return;
    }
    if (sig == SIGSTOP) {
      StopGroup(task, sig);
      continue;
    }
    if (IsIgnore(action)) continue;
    if (restart) ResolveRestartForHandler(task, action);
    restart = false;
    if (!SetupFrame(task, sig, info, action)) {
      siginfo_t segv = UserSigInfo(SIGSEGV, SI_KERNEL, 0);
      ForceSignal(task, segv);
      continue;
    }
    if (action.flags & SA_RESETHAND) group.actions[sig] = SignalAction{};
    return;
  }
  if (restart) RestartSyscall(task);
  // sigsuspend-style calls whose signal ran no handler get their mask back.
  if (task.saved_mask()) {
    task.set_blocked(*task.saved_mask());
    task.saved_mask().reset();
  }
}

}  // namespace cocoon::kernel
