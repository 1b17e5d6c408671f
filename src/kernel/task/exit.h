// How tasks and processes end: exit, exit_group, fatal signals, zombies, reaping.
#pragma once

#include "kernel/task/task.h"

namespace cocoon::kernel {

// exit_group or a fatal signal: every task of the group leaves with `wait_status`.
void ExitGroup(Task& task, int wait_status);
// The task's last act on its host thread: leave the group; the last one out
// turns the process into a zombie, reparents its children and tells the parent.
void FinishExit(Task& task, int wait_status);
// Wait-status encodings.
inline int ExitedStatus(int code) { return (code & 0xff) << 8; }
inline int SignaledStatus(int sig, bool core) { return sig | (core ? 0x80 : 0); }

}  // namespace cocoon::kernel
