// How `cocoon boot` confines itself before it runs any guest code. The
// launcher already put it in fresh user, mount, pid, ipc, uts and network
// namespaces; here it gives up its view of the host's files and its powers.
#pragma once

#include <span>

#include "base/error.h"

namespace cocoon::sandbox {

// Makes every mount private, then pivots into an empty tmpfs and makes it
// read-only: after this, the sandbox can name no host file at all.
Result<> EnterEmptyRoot();
// Closes every fd but 0, 1, 2 and `keep`.
void CloseOtherFds(std::span<const int> keep);
// Clears every capability set (the bounding set is dropped earlier).
Result<> DropAllCapabilities();

// All of the above, then the seccomp allow-list; the order matters (mounting
// needs capabilities, the filter would refuse pivot_root).
Result<> ConfineSandbox(std::span<const int> keep_fds, bool trap_syscalls);

}  // namespace cocoon::sandbox
