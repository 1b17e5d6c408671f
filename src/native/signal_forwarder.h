// Foreground `run` and `exec`: relay signals we receive to the container's
// process (as runc does), proxy its terminal if we hold one, and wait for it.
#pragma once

#include <sys/types.h>

#include "base/error.h"

namespace cocoon::native {

// Returns the process's exit status as a shell reports it. `console` is a pty
// master to proxy to our stdio, or -1.
Result<int> ForwardSignalsAndWait(pid_t pid, int console);

}  // namespace cocoon::native
