// Signal syscalls: actions, masks, sending, sigreturn, sigsuspend, altstacks.
#include <signal.h>

#include <cerrno>

#include "kernel/kernel.h"
#include "kernel/signal/signal.h"
#include "kernel/syscalls/handlers.h"

namespace cocoon::kernel {
namespace {

bool ValidSignal(int sig) { return sig >= 1 && sig <= kNumSignals; }

// Kill-like permission and existence are trivial (everyone is root); sig 0 only checks.
int64_t SendToGroup(Task& sender, ThreadGroup& group, int sig) {
  if (group.zombie) return 0;
  if (sig == 0) return 0;
  SendSignalToGroup(group, UserSigInfo(sig, SI_USER, sender.group().pid));
  return 0;
}

}  // namespace

int64_t SysRtSigaction(Task& task, const SyscallArgs& args) {
  int sig = args.Int(0);
  if (!ValidSignal(sig) || args.Size(3) != sizeof(SigSet)) return -EINVAL;
  SignalAction& action = task.group().actions[sig];
  SignalAction next;
  if (args.U64(1)) {
    if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
    if (CopyInObj(task, args.U64(1), &next) < 0) return -EFAULT;
  }
  if (args.U64(2)) {
    if (int64_t err = CopyOutObj(task, args.U64(2), action); err < 0) return err;
  }
  if (args.U64(1)) {
    next.mask &= ~kUnblockable;
    action = next;
    // Setting SIG_IGN discards what is pending (POSIX).
    if (next.handler == reinterpret_cast<uint64_t>(SIG_IGN)) {
      for (auto& t : task.group().tasks) t->DiscardSignals(SigBit(sig));
    }
  }
  return 0;
}

int64_t SysRtSigprocmask(Task& task, const SyscallArgs& args) {
  if (args.Size(3) != sizeof(SigSet)) return -EINVAL;
  SigSet old = task.blocked();
  if (args.U64(1)) {
    SigSet set;
    if (CopyInObj(task, args.U64(1), &set) < 0) return -EFAULT;
    switch (args.Int(0)) {
      case SIG_BLOCK:
        task.set_blocked(old | set);
        break;
      case SIG_UNBLOCK:
        task.set_blocked(old & ~set);
        break;
      case SIG_SETMASK:
        task.set_blocked(set);
        break;
      default:
        return -EINVAL;
    }
  }
  if (args.U64(2)) return CopyOutObj(task, args.U64(2), old);
  return 0;
}

int64_t SysRtSigreturn(Task& task, const SyscallArgs&) { return SigReturn(task); }

int64_t SysRtSigpending(Task& task, const SyscallArgs& args) {
  if (args.Size(1) > sizeof(SigSet)) return -EINVAL;
  SigSet pending = task.pending() & task.blocked();
  return CopyOut(task, args.U64(0), &pending, args.Size(1));
}

int64_t SysRtSigsuspend(Task& task, const SyscallArgs& args) {
  if (args.Size(1) != sizeof(SigSet)) return -EINVAL;
  SigSet mask;
  if (CopyInObj(task, args.U64(0), &mask) < 0) return -EFAULT;
  task.saved_mask() = task.blocked();
  task.set_blocked(mask);
  WaitQueue never;
  while (never.Wait(task) == 0) {
  }
  return -kErestartNoHand;
}

int64_t SysPause(Task& task, const SyscallArgs&) {
  WaitQueue never;
  while (never.Wait(task) == 0) {
  }
  return -kErestartNoHand;
}

int64_t SysKill(Task& task, const SyscallArgs& args) {
  int pid = args.Int(0);
  int sig = args.Int(1);
  if (sig < 0 || sig > kNumSignals) return -EINVAL;
  Kernel& kernel = task.kernel();
  if (pid > 0) {
    auto group = kernel.FindProcess(pid);
    if (!group) return -ESRCH;
    return SendToGroup(task, *group, sig);
  }
  // A process group (0: the caller's), or everyone but init and the caller (-1).
  int pgid = pid == 0 ? task.group().pgid : -pid;
  bool found = false;
  std::vector<std::shared_ptr<ThreadGroup>> targets;
  for (const auto& [other_pid, group] : kernel.processes()) {
    bool match = pid == -1 ? (other_pid != 1 && group.get() != &task.group()) : group->pgid == pgid;
    if (match && !group->zombie) targets.push_back(group);
  }
  for (auto& group : targets) {
    found = true;
    SendToGroup(task, *group, sig);
  }
  return found ? 0 : -ESRCH;
}

namespace {
int64_t SendToThread(Task& task, int tgid, int tid, int sig) {
  if (tid <= 0 || sig < 0 || sig > kNumSignals) return -EINVAL;
  auto target = task.kernel().FindTask(tid);
  if (!target || (tgid > 0 && target->group().pid != tgid)) return -ESRCH;
  if (sig == 0) return 0;
  SendSignalToTask(*target, UserSigInfo(sig, SI_TKILL, task.group().pid));
  return 0;
}
}  // namespace

int64_t SysTgkill(Task& task, const SyscallArgs& args) {
  if (args.Int(0) <= 0) return -EINVAL;
  return SendToThread(task, args.Int(0), args.Int(1), args.Int(2));
}

int64_t SysTkill(Task& task, const SyscallArgs& args) { return SendToThread(task, 0, args.Int(0), args.Int(1)); }

int64_t SysSigaltstack(Task& task, const SyscallArgs& args) {
  stack_t& current = task.altstack();
  uint64_t sp = task.regs().rsp;
  auto base = reinterpret_cast<uint64_t>(current.ss_sp);
  bool on_stack = !(current.ss_flags & SS_DISABLE) && sp > base && sp <= base + current.ss_size;
  if (args.U64(1)) {
    stack_t old = current;
    if (on_stack) old.ss_flags = SS_ONSTACK;
    if (int64_t err = CopyOutObj(task, args.U64(1), old); err < 0) return err;
  }
  if (args.U64(0)) {
    stack_t next;
    if (CopyInObj(task, args.U64(0), &next) < 0) return -EFAULT;
    if (on_stack) return -EPERM;
    constexpr int kAutoDisarm = 1 << 31;  // SS_AUTODISARM
    if (next.ss_flags & ~(SS_DISABLE | kAutoDisarm)) return -EINVAL;
    if (next.ss_flags & SS_DISABLE) {
      current = {.ss_sp = nullptr, .ss_flags = SS_DISABLE, .ss_size = 0};
    } else {
      if (next.ss_size < static_cast<size_t>(MINSIGSTKSZ)) return -ENOMEM;
      current = next;
      current.ss_flags = 0;
    }
  }
  return 0;
}

}  // namespace cocoon::kernel
