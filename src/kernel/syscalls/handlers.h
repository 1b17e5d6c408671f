// Declarations of the syscall handlers the table (table.cc) refers to, by family.
// The file side declares its own in sys_file*.h.
#pragma once

#include "kernel/syscalls/syscall.h"

namespace cocoon::kernel {

#define COCOON_HANDLER(name) int64_t name(Task& task, const SyscallArgs& args)

// sys_process.cc
COCOON_HANDLER(SysGetpid);
COCOON_HANDLER(SysGetppid);
COCOON_HANDLER(SysGettid);
COCOON_HANDLER(SysGetIdZero);  // getuid, geteuid, getgid, getegid: root in the sandbox
COCOON_HANDLER(SysGetresid);
COCOON_HANDLER(SysSetIdOk);
COCOON_HANDLER(SysGetpgid);
COCOON_HANDLER(SysSetpgid);
COCOON_HANDLER(SysGetpgrp);
COCOON_HANDLER(SysGetsid);
COCOON_HANDLER(SysSetsid);
COCOON_HANDLER(SysGetgroups);
COCOON_HANDLER(SysSetTidAddress);
COCOON_HANDLER(SysSetRobustList);
COCOON_HANDLER(SysExit);
COCOON_HANDLER(SysExitGroup);
COCOON_HANDLER(SysUname);
COCOON_HANDLER(SysSethostname);
COCOON_HANDLER(SysSetdomainname);
COCOON_HANDLER(SysPrlimit64);
COCOON_HANDLER(SysGetrlimit);
COCOON_HANDLER(SysSetrlimit);
COCOON_HANDLER(SysArchPrctl);
COCOON_HANDLER(SysPrctl);
COCOON_HANDLER(SysGetrandom);
COCOON_HANDLER(SysSchedGetaffinity);
COCOON_HANDLER(SysSchedYield);
COCOON_HANDLER(SysGetcpu);
COCOON_HANDLER(SysSysinfo);
// sys_clone.cc, sys_exec.cc, sys_wait.cc
COCOON_HANDLER(SysClone);
COCOON_HANDLER(SysFork);
COCOON_HANDLER(SysVfork);
COCOON_HANDLER(SysExecve);
COCOON_HANDLER(SysWait4);
COCOON_HANDLER(SysWaitid);
// sys_mm.cc
COCOON_HANDLER(SysBrk);
COCOON_HANDLER(SysMmap);
COCOON_HANDLER(SysMunmap);
COCOON_HANDLER(SysMprotect);
COCOON_HANDLER(SysMremap);
COCOON_HANDLER(SysMadvise);
COCOON_HANDLER(SysMemNoop);  // msync, mlock, munlock, mlockall, munlockall
// sys_signal.cc
COCOON_HANDLER(SysRtSigaction);
COCOON_HANDLER(SysRtSigprocmask);
COCOON_HANDLER(SysRtSigreturn);
COCOON_HANDLER(SysRtSigpending);
COCOON_HANDLER(SysRtSigsuspend);
COCOON_HANDLER(SysPause);
COCOON_HANDLER(SysKill);
COCOON_HANDLER(SysTgkill);
COCOON_HANDLER(SysTkill);
COCOON_HANDLER(SysSigaltstack);
// sys_futex.cc
COCOON_HANDLER(SysFutex);
// sys_time.cc
COCOON_HANDLER(SysClockGettime);
COCOON_HANDLER(SysClockGetres);
COCOON_HANDLER(SysGettimeofday);
COCOON_HANDLER(SysTime);
COCOON_HANDLER(SysNanosleep);
COCOON_HANDLER(SysClockNanosleep);
// sys_stdio.cc: the host's stdio until the vfs serves files.
COCOON_HANDLER(SysStdioRead);
COCOON_HANDLER(SysStdioWrite);
COCOON_HANDLER(SysStdioWritev);
COCOON_HANDLER(SysStdioFstat);
COCOON_HANDLER(SysStdioNewfstatat);
COCOON_HANDLER(SysStdioIoctl);
COCOON_HANDLER(SysStdioClose);

#undef COCOON_HANDLER

}  // namespace cocoon::kernel
