// wait4 and waitid: zombies, stopped and continued children.
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kernel/kernel.h"
#include "kernel/signal/signal.h"
#include "kernel/syscalls/handlers.h"

namespace cocoon::kernel {
namespace {

// Who wait4's pid argument selects.
bool Matches(const ThreadGroup& waiter, const ThreadGroup& child, int pid) {
  if (pid > 0) return child.pid == pid;
  if (pid == -1) return true;
  if (pid == 0) return child.pgid == waiter.pgid;
  return child.pgid == -pid;
}

struct WaitResult {
  int pid = 0;
  int status = 0;  // wait4's encoding
  int code = 0;    // waitid's CLD_*
};

// One pass over the children: a reportable event, or none (0), or -ECHILD.
int64_t FindEvent(Task& task, int pid, int options, WaitResult* out) {
  ThreadGroup& self = task.group();
  bool any = false;
  for (auto& child : self.children) {
    if (!Matches(self, *child, pid)) continue;
    any = true;
    if (child->zombie && (options & WEXITED)) {
      int st = child->wait_status;
      *out = {child->pid, st, (st & 0x7f) == 0 ? CLD_EXITED : ((st & 0x80) ? CLD_DUMPED : CLD_KILLED)};
      if (!(options & WNOWAIT)) {
        task.kernel().RemoveProcess(child->pid);
        auto& kids = self.children;
        kids.erase(std::find(kids.begin(), kids.end(), child));
      }
      return 1;
    }
    if (child->stopped && !child->stop_reported && (options & WUNTRACED)) {
      if (!(options & WNOWAIT)) child->stop_reported = true;
      *out = {child->pid, (child->stop_signal << 8) | 0x7f, CLD_STOPPED};
      return 1;
    }
    if (!child->continued_reported && (options & WCONTINUED)) {
      if (!(options & WNOWAIT)) child->continued_reported = true;
      *out = {child->pid, 0xffff, CLD_CONTINUED};
      return 1;
    }
  }
  return any ? 0 : -ECHILD;
}

int64_t WaitForEvent(Task& task, int pid, int options, WaitResult* out) {
  while (true) {
    int64_t found = FindEvent(task, pid, options, out);
    if (found != 0) return found;
    if (options & WNOHANG) return 0;
    if (task.group().child_events.Wait(task) < 0) return -kErestartSys;
  }
}

}  // namespace

int64_t SysWait4(Task& task, const SyscallArgs& args) {
  int options = args.Int(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD)) return -EINVAL;
  WaitResult result;
  int64_t found = WaitForEvent(task, args.Int(0), options | WEXITED, &result);
  if (found <= 0) return found;
  if (args.U64(1) && CopyOutObj(task, args.U64(1), result.status) < 0) return -EFAULT;
  if (args.U64(3)) {
    struct rusage usage {};
    if (CopyOutObj(task, args.U64(3), usage) < 0) return -EFAULT;
  }
  return result.pid;
}

int64_t SysWaitid(Task& task, const SyscallArgs& args) {
  int options = args.Int(3);
  if (options & ~(WNOHANG | WSTOPPED | WCONTINUED | WEXITED | WNOWAIT | __WALL | __WCLONE | __WNOTHREAD)) {
    return -EINVAL;
  }
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
  int pid;
  switch (args.Int(0)) {
    case P_ALL:
      pid = -1;
      break;
    case P_PID:
      pid = args.Int(1);
      if (pid <= 0) return -EINVAL;
      break;
    case P_PGID:
      pid = args.Int(1) == 0 ? 0 : -args.Int(1);
      break;
    default:
      return -EINVAL;
  }
  WaitResult result;
  int64_t found = WaitForEvent(task, pid, options, &result);
  if (found < 0) return found;
  if (args.U64(2)) {
    siginfo_t info{};
    if (found > 0) {
      info.si_signo = SIGCHLD;
      info.si_code = result.code;
      info.si_pid = result.pid;
      info.si_status = result.code == CLD_EXITED ? (result.status >> 8) & 0xff
                       : result.code == CLD_STOPPED ? (result.status >> 8) & 0xff
                       : result.code == CLD_CONTINUED ? SIGCONT
                                                      : result.status & 0x7f;
    }
    if (CopyOutObj(task, args.U64(2), info) < 0) return -EFAULT;
  }
  return 0;
}

}  // namespace cocoon::kernel
