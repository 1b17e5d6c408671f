// The syscall table as data: number, name, handler, argument kinds. Dispatch,
// --strace and the unimplemented-syscall log all read it. A row without a
// handler is known but unimplemented: ENOSYS, logged once by name.
#include <sys/syscall.h>

#include <array>

#include "kernel/syscalls/dispatch.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/syscalls/sys_file.h"

namespace cocoon::kernel {
namespace {

using A = ArgKind;
constexpr A N = A::kNone, I = A::kInt, H = A::kHex, F = A::kFd, P = A::kPath, X = A::kPtr, S = A::kSize,
            O = A::kOctal, G = A::kSignal;

constexpr SyscallInfo kTable[] = {
    // Files (kernel/syscalls/sys_file*.cc): the vfs, or the host's stdio while
    // the kernel still runs on HostStdioFiles.
    {SYS_read, "read", SysRead, {F, X, S}},
    {SYS_write, "write", SysWrite, {F, X, S}},
    {SYS_open, "open", SysOpen, {P, H, O}},
    {SYS_close, "close", SysClose, {F}},
    {SYS_stat, "stat", SysStat, {P, X}},
    {SYS_fstat, "fstat", SysFstat, {F, X}},
    {SYS_lstat, "lstat", SysLstat, {P, X}},
    {SYS_poll, "poll", SysPoll, {X, I, I}},
    {SYS_lseek, "lseek", SysLseek, {F, I, I}},
    {SYS_ioctl, "ioctl", SysIoctl, {F, H, H}},
    {SYS_pread64, "pread64", SysPread64, {F, X, S, I}},
    {SYS_pwrite64, "pwrite64", SysPwrite64, {F, X, S, I}},
    {SYS_readv, "readv", SysReadv, {F, X, I}},
    {SYS_writev, "writev", SysWritev, {F, X, I}},
    {SYS_access, "access", SysAccess, {P, O}},
    {SYS_pipe, "pipe", SysPipe, {X}},
    {SYS_select, "select", SysSelect, {I, X, X, X, X}},
    {SYS_dup, "dup", SysDup, {F}},
    {SYS_dup2, "dup2", SysDup2, {F, F}},
    {SYS_fcntl, "fcntl", SysFcntl, {F, I, H}},
    {SYS_getdents64, "getdents64", SysGetdents64, {F, X, S}},
    {SYS_getcwd, "getcwd", SysGetcwd, {X, S}},
    {SYS_chdir, "chdir", SysChdir, {P}},
    {SYS_openat, "openat", SysOpenat, {F, P, H, O}},
    {SYS_newfstatat, "newfstatat", SysNewfstatat, {F, P, X, H}},
    {SYS_statx, "statx", SysStatx, {F, P, H, H, X}},
    {SYS_readlink, "readlink", SysReadlink, {P, X, S}},
    {SYS_umask, "umask", SysUmask, {O}},
    {SYS_pipe2, "pipe2", SysPipe2, {X, H}},
    {SYS_dup3, "dup3", SysDup3, {F, F, H}},
    {SYS_faccessat, "faccessat", SysFaccessat, {F, P, O}},
    {SYS_faccessat2, "faccessat2", SysFaccessat2, {F, P, O, H}},
    {SYS_mkdir, "mkdir", SysMkdir, {P, O}},
    {SYS_unlink, "unlink", SysUnlink, {P}},
    {SYS_rename, "rename", SysRename, {P, P}},
    {SYS_ppoll, "ppoll", SysPpoll, {X, I, X, X, S}},
    {SYS_pselect6, "pselect6", SysPselect6, {I, X, X, X, X, X}},
    // More files (kernel/syscalls/sys_file*.cc, sys_pipe.cc, sys_poll.cc).
    {SYS_creat, "creat", SysCreat, {P, O}},
    {SYS_truncate, "truncate", SysTruncate, {P, I}},
    {SYS_ftruncate, "ftruncate", SysFtruncate, {F, I}},
    {SYS_fsync, "fsync", SysFsync, {F}},
    {SYS_fdatasync, "fdatasync", SysFsync, {F}},
    {SYS_fchdir, "fchdir", SysFchdir, {F}},
    {SYS_chroot, "chroot", SysChroot, {P}},
    {SYS_rmdir, "rmdir", SysRmdir, {P}},
    {SYS_link, "link", SysLink, {P, P}},
    {SYS_symlink, "symlink", SysSymlink, {P, P}},
    {SYS_chmod, "chmod", SysChmod, {P, O}},
    {SYS_fchmod, "fchmod", SysFchmod, {F, O}},
    {SYS_chown, "chown", SysChown, {P, I, I}},
    {SYS_fchown, "fchown", SysFchown, {F, I, I}},
    {SYS_lchown, "lchown", SysLchown, {P, I, I}},
    {SYS_mknod, "mknod", SysMknod, {P, O, H}},
    {SYS_mkdirat, "mkdirat", SysMkdirat, {F, P, O}},
    {SYS_mknodat, "mknodat", SysMknodat, {F, P, O, H}},
    {SYS_fchownat, "fchownat", SysFchownat, {F, P, I, I, H}},
    {SYS_unlinkat, "unlinkat", SysUnlinkat, {F, P, H}},
    {SYS_renameat, "renameat", SysRenameat, {F, P, F, P}},
    {SYS_renameat2, "renameat2", SysRenameat2, {F, P, F, P, H}},
    {SYS_linkat, "linkat", SysLinkat, {F, P, F, P, H}},
    {SYS_symlinkat, "symlinkat", SysSymlinkat, {P, F, P}},
    {SYS_readlinkat, "readlinkat", SysReadlinkat, {F, P, X, S}},
    {SYS_setxattr, "setxattr", SysSetxattr, {P, P, X, S, H}},
    {SYS_lsetxattr, "lsetxattr", SysLsetxattr, {P, P, X, S, H}},
    {SYS_fsetxattr, "fsetxattr", SysFsetxattr, {F, P, X, S, H}},
    {SYS_getxattr, "getxattr", SysGetxattr, {P, P, X, S}},
    {SYS_lgetxattr, "lgetxattr", SysLgetxattr, {P, P, X, S}},
    {SYS_fgetxattr, "fgetxattr", SysFgetxattr, {F, P, X, S}},
    {SYS_listxattr, "listxattr", SysListxattr, {P, X, S}},
    {SYS_llistxattr, "llistxattr", SysLlistxattr, {P, X, S}},
    {SYS_flistxattr, "flistxattr", SysFlistxattr, {F, X, S}},
    {SYS_removexattr, "removexattr", SysRemovexattr, {P, P}},
    {SYS_lremovexattr, "lremovexattr", SysLremovexattr, {P, P}},
    {SYS_fremovexattr, "fremovexattr", SysFremovexattr, {F, P}},
    {SYS_statfs, "statfs", SysStatfs, {P, X}},
    {SYS_fstatfs, "fstatfs", SysFstatfs, {F, X}},
    {SYS_fchmodat, "fchmodat", SysFchmodat, {F, P, O}},
    {SYS_utimensat, "utimensat", SysUtimensat, {F, P, X, H}},
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
    {SYS_fadvise64, "fadvise64", SysMemNoop, {F, I, S, I}},  // advice only
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
    {SYS_futex, "futex", SysFutex, {X, H, I, X, X, H}},
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
    {SYS_sethostname, "sethostname", SysSethostname, {X, S}},
    {SYS_setdomainname, "setdomainname", SysSetdomainname, {X, S}},
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
