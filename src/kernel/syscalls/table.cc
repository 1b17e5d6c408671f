// The syscall table as data: number, name, handler, argument kinds. Dispatch,
// --strace and the unimplemented-syscall log all read it. A row without a
// handler is known but unimplemented: ENOSYS, logged once by name.
#include <sys/syscall.h>

#include <array>

#include "kernel/syscalls/dispatch.h"
#include "kernel/syscalls/handlers.h"

namespace cocoon::kernel {
namespace {

using A = ArgKind;
constexpr A N = A::kNone, I = A::kInt, H = A::kHex, F = A::kFd, P = A::kPath, X = A::kPtr, S = A::kSize,
            O = A::kOctal, G = A::kSignal;

constexpr SyscallInfo kTable[] = {
    // Files: the host's stdio until the vfs registers its handlers here.
    {SYS_read, "read", SysStdioRead, {F, X, S}},
    {SYS_write, "write", SysStdioWrite, {F, X, S}},
    {SYS_open, "open", nullptr, {P, H, O}},
    {SYS_close, "close", SysStdioClose, {F}},
    {SYS_stat, "stat", nullptr, {P, X}},
    {SYS_fstat, "fstat", SysStdioFstat, {F, X}},
    {SYS_lstat, "lstat", nullptr, {P, X}},
    {SYS_poll, "poll", nullptr, {X, I, I}},
    {SYS_lseek, "lseek", nullptr, {F, I, I}},
    {SYS_ioctl, "ioctl", SysStdioIoctl, {F, H, H}},
    {SYS_pread64, "pread64", nullptr, {F, X, S, I}},
    {SYS_pwrite64, "pwrite64", nullptr, {F, X, S, I}},
    {SYS_readv, "readv", nullptr, {F, X, I}},
    {SYS_writev, "writev", SysStdioWritev, {F, X, I}},
    {SYS_access, "access", nullptr, {P, O}},
    {SYS_pipe, "pipe", nullptr, {X}},
    {SYS_select, "select", nullptr, {I, X, X, X, X}},
    {SYS_dup, "dup", nullptr, {F}},
    {SYS_dup2, "dup2", nullptr, {F, F}},
    {SYS_fcntl, "fcntl", nullptr, {F, I, H}},
    {SYS_getdents64, "getdents64", nullptr, {F, X, S}},
    {SYS_getcwd, "getcwd", nullptr, {X, S}},
    {SYS_chdir, "chdir", nullptr, {P}},
    {SYS_openat, "openat", nullptr, {F, P, H, O}},
    {SYS_newfstatat, "newfstatat", SysStdioNewfstatat, {F, P, X, H}},
    {SYS_statx, "statx", nullptr, {F, P, H, H, X}},
    {SYS_readlink, "readlink", nullptr, {P, X, S}},
    {SYS_umask, "umask", nullptr, {O}},
    {SYS_pipe2, "pipe2", nullptr, {X, H}},
    {SYS_dup3, "dup3", nullptr, {F, F, H}},
    {SYS_faccessat, "faccessat", nullptr, {F, P, O}},
    {SYS_faccessat2, "faccessat2", nullptr, {F, P, O, H}},
    {SYS_mkdir, "mkdir", nullptr, {P, O}},
    {SYS_unlink, "unlink", nullptr, {P}},
    {SYS_rename, "rename", nullptr, {P, P}},
    {SYS_ppoll, "ppoll", nullptr, {X, I, X, X, S}},
    {SYS_pselect6, "pselect6", nullptr, {I, X, X, X, X, X}},
    // Memory.
    {SYS_mmap, "mmap", SysMmap, {X, S, H, H, F, H}},
    {SYS_mprotect, "mprotect", SysMprotect, {X, S, H}},
    {SYS_munmap, "munmap", SysMunmap, {X, S}},
    {SYS_brk, "brk", SysBrk, {X}},
    {SYS_mremap, "mremap", SysMremap, {X, S, S, H, X}},
    {SYS_msync, "msync", SysMemNoop, {X, S, H}},
    {SYS_madvise, "madvise", SysMadvise, {X, S, I}},
    {SYS_mlock, "mlock", SysMemNoop, {X, S}},
    {SYS_munlock, "munlock", SysMemNoop, {X, S}},
    {SYS_mlockall, "mlockall", SysMemNoop, {H}},
    {SYS_munlockall, "munlockall", SysMemNoop, {}},
    {SYS_mincore, "mincore", nullptr, {X, S, X}},
    {SYS_membarrier, "membarrier", nullptr, {I, H, I}},
    // Signals.
    {SYS_rt_sigaction, "rt_sigaction", SysRtSigaction, {G, X, X, S}},
    {SYS_rt_sigprocmask, "rt_sigprocmask", SysRtSigprocmask, {I, X, X, S}},
    {SYS_rt_sigreturn, "rt_sigreturn", SysRtSigreturn, {}},
    {SYS_rt_sigpending, "rt_sigpending", SysRtSigpending, {X, S}},
    {SYS_rt_sigsuspend, "rt_sigsuspend", SysRtSigsuspend, {X, S}},
    {SYS_rt_sigtimedwait, "rt_sigtimedwait", nullptr, {X, X, X, S}},
    {SYS_rt_sigqueueinfo, "rt_sigqueueinfo", nullptr, {I, G, X}},
    {SYS_sigaltstack, "sigaltstack", SysSigaltstack, {X, X}},
    {SYS_pause, "pause", SysPause, {}},
    {SYS_kill, "kill", SysKill, {I, G}},
    {SYS_tkill, "tkill", SysTkill, {I, G}},
    {SYS_tgkill, "tgkill", SysTgkill, {I, I, G}},
    // Processes.
    {SYS_getpid, "getpid", SysGetpid, {}},
    {SYS_getppid, "getppid", SysGetppid, {}},
    {SYS_gettid, "gettid", SysGettid, {}},
    {SYS_clone, "clone", SysClone, {H, X, X, X, X}},
    {SYS_clone3, "clone3", nullptr, {X, S}},
    {SYS_fork, "fork", SysFork, {}},
    {SYS_vfork, "vfork", SysVfork, {}},
    {SYS_execve, "execve", SysExecve, {P, X, X}},
    {SYS_execveat, "execveat", nullptr, {F, P, X, X, H}},
    {SYS_exit, "exit", SysExit, {I}},
    {SYS_exit_group, "exit_group", SysExitGroup, {I}},
    {SYS_wait4, "wait4", SysWait4, {I, X, H, X}},
    {SYS_waitid, "waitid", SysWaitid, {I, I, X, H, X}},
    {SYS_set_tid_address, "set_tid_address", SysSetTidAddress, {X}},
    {SYS_set_robust_list, "set_robust_list", SysSetRobustList, {X, S}},
    {SYS_get_robust_list, "get_robust_list", nullptr, {I, X, X}},
    {SYS_rseq, "rseq", nullptr, {X, S, H, H}},
    {SYS_futex, "futex", nullptr, {X, I, I, X, X, I}},
    {SYS_getuid, "getuid", SysGetIdZero, {}},
    {SYS_geteuid, "geteuid", SysGetIdZero, {}},
    {SYS_getgid, "getgid", SysGetIdZero, {}},
    {SYS_getegid, "getegid", SysGetIdZero, {}},
    {SYS_getresuid, "getresuid", SysGetresid, {X, X, X}},
    {SYS_getresgid, "getresgid", SysGetresid, {X, X, X}},
    {SYS_setuid, "setuid", SysSetIdOk, {I}},
    {SYS_setgid, "setgid", SysSetIdOk, {I}},
    {SYS_setreuid, "setreuid", SysSetIdOk, {I, I}},
    {SYS_setregid, "setregid", SysSetIdOk, {I, I}},
    {SYS_setresuid, "setresuid", SysSetIdOk, {I, I, I}},
    {SYS_setresgid, "setresgid", SysSetIdOk, {I, I, I}},
    {SYS_setgroups, "setgroups", SysSetIdOk, {I, X}},
    {SYS_getgroups, "getgroups", SysGetgroups, {I, X}},
    {SYS_getpgid, "getpgid", SysGetpgid, {I}},
    {SYS_setpgid, "setpgid", SysSetpgid, {I, I}},
    {SYS_getpgrp, "getpgrp", SysGetpgrp, {}},
    {SYS_getsid, "getsid", SysGetsid, {I}},
    {SYS_setsid, "setsid", SysSetsid, {}},
    {SYS_uname, "uname", SysUname, {X}},
    {SYS_getrlimit, "getrlimit", SysGetrlimit, {I, X}},
    {SYS_setrlimit, "setrlimit", SysSetrlimit, {I, X}},
    {SYS_prlimit64, "prlimit64", SysPrlimit64, {I, I, X, X}},
    {SYS_getrusage, "getrusage", nullptr, {I, X}},
    {SYS_arch_prctl, "arch_prctl", SysArchPrctl, {H, X}},
    {SYS_prctl, "prctl", SysPrctl, {I, H, H, H, H}},
    {SYS_getrandom, "getrandom", SysGetrandom, {X, S, H}},
    {SYS_sched_getaffinity, "sched_getaffinity", SysSchedGetaffinity, {I, S, X}},
    {SYS_sched_yield, "sched_yield", SysSchedYield, {}},
    {SYS_getcpu, "getcpu", SysGetcpu, {X, X, X}},
    {SYS_sysinfo, "sysinfo", SysSysinfo, {X}},
    // Time.
    {SYS_clock_gettime, "clock_gettime", SysClockGettime, {I, X}},
    {SYS_clock_getres, "clock_getres", SysClockGetres, {I, X}},
    {SYS_gettimeofday, "gettimeofday", SysGettimeofday, {X, X}},
    {SYS_time, "time", SysTime, {X}},
    {SYS_nanosleep, "nanosleep", SysNanosleep, {X, X}},
    {SYS_clock_nanosleep, "clock_nanosleep", SysClockNanosleep, {I, H, X, X}},
    // Known, not implemented yet (ENOSYS, logged once by name).
    {SYS_socket, "socket", nullptr, {I, I, I}},
    {SYS_connect, "connect", nullptr, {F, X, S}},
    {SYS_ptrace, "ptrace", nullptr, {I, I, X, X}},
    {SYS_mount, "mount", nullptr, {P, P, P, H, X}},
    {SYS_io_uring_setup, "io_uring_setup", nullptr, {S, X}},
    {SYS_bpf, "bpf", nullptr, {I, X, S}},
    {SYS_perf_event_open, "perf_event_open", nullptr, {X, I, I, F, H}},
};

constexpr size_t kMaxNr = 512;

// Number -> row, built once from the table (which is in no particular order).
const std::array<const SyscallInfo*, kMaxNr>& Index() {
  static const auto index = [] {
    std::array<const SyscallInfo*, kMaxNr> by_nr{};
    for (const SyscallInfo& info : kTable) by_nr[info.nr] = &info;
    return by_nr;
  }();
  return index;
}

}  // namespace

const SyscallInfo* LookupSyscall(uint64_t nr) { return nr < kMaxNr ? Index()[nr] : nullptr; }

}  // namespace cocoon::kernel
