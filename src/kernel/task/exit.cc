// exit_group, zombies and SIGCHLD to the parent.
#include "kernel/task/exit.h"

#include <algorithm>

#include "kernel/kernel.h"
#include "kernel/signal/signal.h"

namespace cocoon::kernel {

void ExitGroup(Task& task, int wait_status) {
  ThreadGroup& group = task.group();
  if (!group.exiting) {
    group.exiting = true;
    group.wait_status = wait_status;
  }
  for (auto& other : group.tasks) {
    if (other.get() != &task) other->Kill();
  }
  task.ExitWith(group.wait_status);
}

namespace {

// Whether the parent asked for its children to be reaped automatically.
bool AutoReap(const ThreadGroup& parent) {
  const SignalAction& action = parent.actions[SIGCHLD];
  return action.handler == reinterpret_cast<uint64_t>(SIG_IGN) || (action.flags & SA_NOCLDWAIT);
}

void Reparent(Kernel& kernel, ThreadGroup& group) {
  auto init = kernel.FindProcess(1);
  for (auto& child : group.children) {
    child->parent = init;
    if (init && init.get() != &group) init->children.push_back(child);
  }
  group.children.clear();
  if (init) init->child_events.Notify();
}

}  // namespace

void FinishExit(Task& task, int wait_status) {
  Kernel& kernel = task.kernel();
  auto group = task.group_ptr();
  auto& tasks = group->tasks;
  tasks.erase(std::remove_if(tasks.begin(), tasks.end(), [&](auto& t) { return t.get() == &task; }),
              tasks.end());
  if (tasks.empty()) {
    if (!group->exiting) group->wait_status = wait_status;
    group->zombie = true;
    Reparent(kernel, *group);
    if (group->pid == 1) {
      kernel.InitExited(group->wait_status);
    } else if (auto parent = group->parent.lock()) {
      if (AutoReap(*parent)) {
        auto& siblings = parent->children;
        siblings.erase(std::remove(siblings.begin(), siblings.end(), group), siblings.end());
        kernel.RemoveProcess(group->pid);
      } else if (group->exit_signal > 0) {
        siginfo_t info{};
        info.si_signo = group->exit_signal;
        bool signaled = (group->wait_status & 0x7f) != 0;
        info.si_code = signaled ? ((group->wait_status & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
        info.si_pid = group->pid;
        info.si_status = signaled ? (group->wait_status & 0x7f) : ((group->wait_status >> 8) & 0xff);
        SendSignalToGroup(*parent, info);
      }
      parent->child_events.Notify();
    }
  }
  kernel.TaskExited(task);
}

}  // namespace cocoon::kernel
