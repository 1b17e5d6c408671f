// Process identity and small per-process calls: ids, sessions, uname, limits, arch_prctl.
#include <asm/prctl.h>
#include <linux/prctl.h>
#include <sched.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

#include "kernel/kernel.h"
#include "kernel/mm/layout.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/exit.h"

namespace cocoon::kernel {

int64_t SysGetpid(Task& task, const SyscallArgs&) { return task.group().pid; }
int64_t SysGettid(Task& task, const SyscallArgs&) { return task.tid(); }

int64_t SysGetppid(Task& task, const SyscallArgs&) {
  auto parent = task.group().parent.lock();
  return parent ? parent->pid : 0;  // init's parent is outside the namespace
}

int64_t SysGetIdZero(Task&, const SyscallArgs&) { return 0; }
int64_t SysSetIdOk(Task&, const SyscallArgs&) { return 0; }

int64_t SysGetresid(Task& task, const SyscallArgs& args) {
  uint32_t zero = 0;
  for (int i = 0; i < 3; ++i) {
    if (int64_t err = CopyOutObj(task, args.U64(i), zero); err < 0) return err;
  }
  return 0;
}

int64_t SysGetgroups(Task&, const SyscallArgs& args) { return args.Int(0) < 0 ? -EINVAL : 0; }

namespace {
std::shared_ptr<ThreadGroup> ProcessOrSelf(Task& task, int pid) {
  return pid == 0 ? task.group_ptr() : task.kernel().FindProcess(pid);
}
}  // namespace

int64_t SysGetpgid(Task& task, const SyscallArgs& args) {
  auto group = ProcessOrSelf(task, args.Int(0));
  return group ? group->pgid : -ESRCH;
}

int64_t SysGetpgrp(Task& task, const SyscallArgs&) { return task.group().pgid; }

int64_t SysSetpgid(Task& task, const SyscallArgs& args) {
  int pgid = args.Int(1);
  if (pgid < 0) return -EINVAL;
  auto group = ProcessOrSelf(task, args.Int(0));
  if (!group) return -ESRCH;
  if (group.get() != &task.group() && group->parent.lock().get() != &task.group()) return -ESRCH;
  if (group->sid == group->pid) return -EPERM;  // a session leader keeps its group
  group->pgid = pgid == 0 ? group->pid : pgid;
  return 0;
}

int64_t SysGetsid(Task& task, const SyscallArgs& args) {
  auto group = ProcessOrSelf(task, args.Int(0));
  return group ? group->sid : -ESRCH;
}

int64_t SysSetsid(Task& task, const SyscallArgs&) {
  ThreadGroup& group = task.group();
  for (const auto& [pid, other] : task.kernel().processes()) {
    if (other->pgid == group.pid) return -EPERM;  // already leads a process group
  }
  group.sid = group.pgid = group.pid;
  return group.pid;
}

int64_t SysSetTidAddress(Task& task, const SyscallArgs& args) {
  task.clear_child_tid = args.U64(0);
  return task.tid();
}

int64_t SysSetRobustList(Task&, const SyscallArgs& args) {
  return args.Size(1) == 24 ? 0 : -EINVAL;  // robust futexes matter with threads: later
}

int64_t SysExit(Task& task, const SyscallArgs& args) {
  // One thread per process for now: exit ends the process like exit_group.
  ExitGroup(task, ExitedStatus(args.Int(0)));
  return 0;
}

int64_t SysExitGroup(Task& task, const SyscallArgs& args) {
  ExitGroup(task, ExitedStatus(args.Int(0)));
  return 0;
}

int64_t SysUname(Task& task, const SyscallArgs& args) {
  struct utsname uts {};
  strcpy(uts.sysname, "Linux");
  std::string& host = task.kernel().hostname();
  std::string& domain = task.kernel().domainname();
  memcpy(uts.nodename, host.data(), std::min(host.size(), sizeof(uts.nodename) - 1));
  memcpy(uts.domainname, domain.data(), std::min(domain.size(), sizeof(uts.domainname) - 1));
  strcpy(uts.release, "6.1.0");
  strcpy(uts.version, "#1 SMP cocoon");
  strcpy(uts.machine, "x86_64");
  return CopyOutObj(task, args.U64(0), uts);
}

namespace {

// sethostname and setdomainname: at most 64 bytes (__NEW_UTS_LEN).
int64_t SetUtsName(Task& task, const SyscallArgs& args, std::string& name) {
  uint64_t len = args.U64(1);
  if (len > 64) return -EINVAL;
  std::string value(len, '\0');
  if (int64_t err = CopyIn(task, args.U64(0), value.data(), len); err < 0) return err;
  name = std::move(value);
  return 0;
}

}  // namespace

int64_t SysSethostname(Task& task, const SyscallArgs& args) {
  return SetUtsName(task, args, task.kernel().hostname());
}

int64_t SysSetdomainname(Task& task, const SyscallArgs& args) {
  return SetUtsName(task, args, task.kernel().domainname());
}

namespace {

// The limits the guest sees; one set for the whole host process for now.
struct rlimit& Limit(int resource) {
  static struct rlimit limits[RLIM_NLIMITS] = {};
  static bool init = [] {
    for (auto& l : limits) l = {RLIM_INFINITY, RLIM_INFINITY};
    limits[RLIMIT_STACK] = {kStackSize, RLIM_INFINITY};
    limits[RLIMIT_NOFILE] = {1024, 4096};
    limits[RLIMIT_NPROC] = {4096, 4096};
    limits[RLIMIT_CORE] = {0, RLIM_INFINITY};
    return true;
  }();
  (void)init;
  return limits[resource];
}

int64_t DoPrlimit(Task& task, int resource, uint64_t new_addr, uint64_t old_addr) {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  struct rlimit next;
  if (new_addr && CopyInObj(task, new_addr, &next) < 0) return -EFAULT;
  if (new_addr && next.rlim_cur > next.rlim_max) return -EINVAL;
  if (old_addr) {
    if (int64_t err = CopyOutObj(task, old_addr, Limit(resource)); err < 0) return err;
  }
  if (new_addr) Limit(resource) = next;
  return 0;
}

}  // namespace

int64_t SysPrlimit64(Task& task, const SyscallArgs& args) {
  if (args.Int(0) != 0 && !task.kernel().FindProcess(args.Int(0))) return -ESRCH;
  return DoPrlimit(task, args.Int(1), args.U64(2), args.U64(3));
}
int64_t SysGetrlimit(Task& task, const SyscallArgs& args) { return DoPrlimit(task, args.Int(0), 0, args.U64(1)); }
int64_t SysSetrlimit(Task& task, const SyscallArgs& args) { return DoPrlimit(task, args.Int(0), args.U64(1), 0); }

int64_t SysArchPrctl(Task& task, const SyscallArgs& args) {
  auto& regs = task.regs();
  switch (args.Int(0)) {
    case ARCH_SET_FS:
      if (args.U64(1) >= kMaxGuestAddress) return -EPERM;
      regs.fs_base = args.U64(1);
      return 0;
    case ARCH_GET_FS:
      return CopyOutObj(task, args.U64(1), static_cast<uint64_t>(regs.fs_base));
    case ARCH_SET_GS:
      if (args.U64(1) >= kMaxGuestAddress) return -EPERM;
      regs.gs_base = args.U64(1);
      return 0;
    case ARCH_GET_GS:
      return CopyOutObj(task, args.U64(1), static_cast<uint64_t>(regs.gs_base));
    default:
      return -EINVAL;
  }
}

int64_t SysPrctl(Task& task, const SyscallArgs& args) {
  switch (args.Int(0)) {
    case PR_SET_NAME: {
      std::string name;
      if (int64_t err = CopyInString(task, args.U64(1), 4096, &name); err < 0 && err != -ENAMETOOLONG) return err;
      task.group().name = name.substr(0, 15);
      return 0;
    }
    case PR_GET_NAME: {
      char name[16] = {};
      strncpy(name, task.group().name.c_str(), 15);
      return CopyOut(task, args.U64(1), name, sizeof(name));
    }
    case PR_SET_PDEATHSIG:
    case PR_SET_DUMPABLE:
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_CHILD_SUBREAPER:
      return 0;
    case PR_GET_DUMPABLE:
      return 1;
    default:
      return -EINVAL;
  }
}

int64_t SysGetrandom(Task& task, const SyscallArgs& args) {
  size_t len = std::min<size_t>(args.Size(1), 1 << 20);
  std::string buf(len, '\0');
  ssize_t got = getrandom(buf.data(), len, 0);
  if (got < 0) return -errno;
  if (int64_t err = CopyOut(task, args.U64(0), buf.data(), got); err < 0) return err;
  return got;
}

int64_t SysSchedGetaffinity(Task& task, const SyscallArgs& args) {
  if (args.Size(1) < sizeof(uint64_t) || args.Size(1) % sizeof(uint64_t) != 0) return -EINVAL;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return -errno;
  size_t len = std::min(args.Size(1), sizeof(set));
  if (int64_t err = CopyOut(task, args.U64(2), &set, len); err < 0) return err;
  return static_cast<int64_t>(len);
}

int64_t SysSchedYield(Task&, const SyscallArgs&) { return 0; }

int64_t SysGetcpu(Task& task, const SyscallArgs& args) {
  uint32_t zero = 0;
  if (args.U64(0) && CopyOutObj(task, args.U64(0), zero) < 0) return -EFAULT;
  if (args.U64(1) && CopyOutObj(task, args.U64(1), zero) < 0) return -EFAULT;
  return 0;
}

int64_t SysSysinfo(Task& task, const SyscallArgs& args) {
  struct sysinfo info;
  if (sysinfo(&info) != 0) return -errno;
  info.procs = static_cast<uint16_t>(task.kernel().processes().size());
  return CopyOutObj(task, args.U64(0), info);
}

}  // namespace cocoon::kernel
