// Switching the calling process to the container's user: groups, gid, uid, umask.
#pragma once

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// The umask a container gets when process.user.umask is not set (as runc).
inline constexpr mode_t kDefaultUmask = 0022;

// Sets supplementary groups (skipped when /proc/self/setgroups says "deny", as
// in a user namespace whose gid map was written without setgroups), then
// setresgid and setresuid, and the umask. PR_SET_KEEPCAPS is held across the
// uid change so the permitted capabilities survive for ApplyCapabilities.
// Uses raw syscalls: glibc's wrappers would change every thread of the
// process, and the caller is the single-threaded container init.
Result<> SwitchUser(const oci::User& user);

// Whether setgroups(2) is allowed in this user namespace.
bool SetgroupsAllowed();

}  // namespace cocoon::linux
