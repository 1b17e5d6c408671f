// `create` for sandboxed containers: starts `cocoon boot` in fresh
// namespaces and the container's cgroup, with every fd it needs donated and
// named on its command line, and waits until it has booted.
#pragma once

#include "container/store.h"
#include "native/lifecycle.h"

namespace cocoon::sandbox {

struct LaunchOptions {
  std::string platform = "ptrace";
  bool strace = false;  // log every guest syscall
  bool debug = false;   // name forbidden host syscalls instead of dying silently
  int log_fd = -1;      // the sandbox's log (the --log file), or -1 for its stderr
};

Result<native::Created> Create(container::Store& store, const native::CreateOptions& options,
                               const LaunchOptions& launch);

}  // namespace cocoon::sandbox
