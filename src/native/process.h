// The last stage shared by a container's init and by exec: turn the current
// process (already inside the container's namespaces and root) into the
// spec's process: user, capabilities, seccomp, no_new_privs, then execve.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::native {

struct ProcessPlan {
  oci::Process process;
  std::optional<oci::Seccomp> seccomp;
  int preserve_fds = 0;  // fds 3 .. 3+n-1 stay open across exec
};

// Finds args[0] as execve would with the process's own PATH, inside the
// current root: `exec: "foo": executable file not found in $PATH`.
Result<std::string> ResolveExecutable(const oci::Process& process);

// Applies rlimits, oom score, personality and LSM labels (things that need
// privileges and do not change who we are).
Result<> ApplyProcessAttributes(const oci::Process& process);

// chdir, close stray fds, drop the bounding set, switch user, set
// capabilities, no_new_privs and seccomp, then execve. Returns only on error.
Result<> BecomeProcessAndExec(const ProcessPlan& plan, const std::string& executable);

}  // namespace cocoon::native
