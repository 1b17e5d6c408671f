// Building signal handler frames on the guest stack, and rt_sigreturn.
#pragma once

#include <signal.h>

#include "kernel/task/task.h"

namespace cocoon::kernel {

// Pushes a frame for `sig` and points the registers at the handler; false when
// the stack cannot take it (the caller then forces SIGSEGV).
bool SetupFrame(Task& task, int sig, const siginfo_t& info, const SignalAction& action);

}  // namespace cocoon::kernel
