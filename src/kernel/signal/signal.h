// Signal generation and delivery: sending to processes, forcing faults, the
// per-return-to-guest delivery step with default actions and handler frames,
// job-control stops and syscall restarts.
#pragma once

#include <signal.h>

#include "kernel/task/task.h"

namespace cocoon::kernel {

// Syscall restart codes (never seen by the guest).
inline constexpr int64_t kErestartSys = 512;
inline constexpr int64_t kErestartNoIntr = 513;
inline constexpr int64_t kErestartNoHand = 514;
inline constexpr int64_t kErestartRestartBlock = 516;

// Sends a signal to a process, with Linux's rules for ignored, stop and continue signals.
void SendSignalToGroup(ThreadGroup& group, const siginfo_t& info);
// Sends a signal to one thread.
void SendSignalToTask(Task& task, const siginfo_t& info);
// A synchronous fault: delivered even when blocked or ignored (then fatal).
void ForceSignal(Task& task, const siginfo_t& info);
// Runs before every return to the guest: stops, default actions, handler frames.
void DeliverSignals(Task& task);
// rt_sigreturn: restores the registers and mask a handler frame saved.
int64_t SigReturn(Task& task);

// A siginfo for kill-like sends from `sender` (0 for the kernel).
siginfo_t UserSigInfo(int sig, int code, int sender_pid);

}  // namespace cocoon::kernel
