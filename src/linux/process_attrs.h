// Small per-process attributes: no_new_privs, OOM score, hostname and domainname.
#pragma once

#include <string_view>

#include "base/error.h"

namespace cocoon::linux {

// prctl(PR_SET_NO_NEW_PRIVS): execve can no longer grant privileges (setuid
// bits, file capabilities). Lets an unprivileged process load a seccomp filter.
Result<> SetNoNewPrivileges();

// Writes /proc/self/oom_score_adj (-1000..1000). Lowering it needs CAP_SYS_RESOURCE.
Result<> SetOomScoreAdj(int score);

// sethostname/setdomainname: only sensible inside a new uts namespace.
// Names longer than the kernel's 64 bytes are an error naming the value.
Result<> SetHostname(std::string_view name);
Result<> SetDomainname(std::string_view name);

}  // namespace cocoon::linux
