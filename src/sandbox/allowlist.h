// The sandbox's own host seccomp filter: the host syscalls the application
// kernel, the ptrace platform, the control server and the C++ runtime make,
// and nothing else. Guest syscalls never reach it: PTRACE_SYSEMU stops them
// before seccomp runs. Stubs inherit it, so what the platform injects into
// them (mmap, munmap, mprotect, exit) is on it too.
#pragma once

#include <span>
#include <string_view>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::sandbox {

std::span<const std::string_view> SandboxSyscalls();

// The allow-list as a seccomp profile: anything else kills the sandbox, or,
// with `trap`, raises SIGSYS (for finding what is missing with --debug).
oci::Seccomp SandboxSeccompProfile(bool trap);

// Sets no_new_privs and installs the filter on the calling thread; threads
// started afterwards inherit it.
Result<> InstallSandboxFilter(bool trap);

}  // namespace cocoon::sandbox
