// fork, vfork and clone of processes: a copy-on-write address space, a copied
// FD table, a new host thread and stub for the child.
#include <sched.h>
#include <signal.h>

#include <cerrno>

#include "base/log.h"
#include "kernel/kernel.h"
#include "kernel/signal/signal.h"
#include "kernel/syscalls/handlers.h"

namespace cocoon::kernel {
namespace {

// Flags we accept; CLONE_VM without CLONE_THREAD is served by a fork (see DoClone).
constexpr uint64_t kSupportedFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK | CLONE_PARENT_SETTID |
                                     CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_SETTLS | CSIGNAL |
                                     CLONE_DETACHED | CLONE_SYSVSEM | CLONE_IO;

std::shared_ptr<ThreadGroup> NewChildGroup(ThreadGroup& parent, int pid, int exit_signal) {
  auto child = std::make_shared<ThreadGroup>();
  child->pid = pid;
  child->pgid = parent.pgid;
  child->sid = parent.sid;
  child->exit_signal = exit_signal;
  child->actions = parent.actions;
  child->name = parent.name;
  return child;
}

int64_t DoClone(Task& parent, uint64_t flags, uint64_t stack, uint64_t parent_tid, uint64_t child_tid,
                uint64_t tls) {
  if (flags & (CLONE_THREAD | CLONE_SIGHAND)) return -EINVAL;  // threads: not yet
  if (flags & ~kSupportedFlags) return -EINVAL;
  Kernel& kernel = parent.kernel();
  // CLONE_VM without threads is vfork/posix_spawn: a copy-on-write fork behaves
  // the same for a child that only execs or exits, which is all they may do.
  std::shared_ptr<MemoryManager> mm = parent.mm().Fork();
  if (!mm) return -ENOMEM;
  int pid = kernel.AllocatePid();
  auto group = NewChildGroup(parent.group(), pid, static_cast<int>(flags & CSIGNAL));
  group->parent = parent.group_ptr();
  auto child = std::make_shared<Task>(kernel, pid, group);
  group->tasks.push_back(child);
  parent.group().children.push_back(group);

  platform::Registers regs = parent.regs();
  regs.rax = 0;
  regs.orig_rax = static_cast<uint64_t>(-1);
  if (stack) regs.rsp = stack;
  if (flags & CLONE_SETTLS) regs.fs_base = tls;
  child->set_regs(regs);
  child->set_blocked(parent.blocked());
  child->set_mm(mm);
  if (parent.files()) child->set_files(parent.files()->Fork(flags & CLONE_FILES));
  platform::FpRegisters fp;
  if (parent.context() && parent.context()->GetFpRegisters(&fp)) child->initial_fp = fp;
  if (flags & CLONE_PARENT_SETTID) CopyOutObj(parent, parent_tid, pid);
  if (flags & CLONE_CHILD_SETTID) mm->CopyOut(child_tid, &pid, sizeof(pid));
  if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid;

  std::shared_ptr<bool> vfork_done;
  WaitQueue vfork_queue;
  if (flags & CLONE_VFORK) {
    vfork_done = std::make_shared<bool>(false);
    child->vfork_done = vfork_done;
    child->vfork_waiters = &vfork_queue;
  }
  kernel.StartTask(child);
  if (vfork_done) {
    while (!*vfork_done && !parent.killed()) vfork_queue.WaitKillable(parent);
    child->vfork_waiters = nullptr;
  }
  return pid;
}

}  // namespace

int64_t SysClone(Task& task, const SyscallArgs& args) {
  // x86-64 argument order: flags, stack, parent_tid, child_tid, tls.
  return DoClone(task, args.U64(0), args.U64(1), args.U64(2), args.U64(3), args.U64(4));
}

int64_t SysFork(Task& task, const SyscallArgs&) { return DoClone(task, SIGCHLD, 0, 0, 0, 0); }

int64_t SysVfork(Task& task, const SyscallArgs&) {
  return DoClone(task, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

}  // namespace cocoon::kernel
