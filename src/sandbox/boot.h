// `cocoon boot`: the sandbox process. Started by `create` in fresh
// namespaces with its fds donated; confines itself, builds the application
// kernel over the container's root, reports that it booted, then serves the
// control RPC until the container's init exits.
#pragma once

#include "base/error.h"

namespace cocoon::sandbox {

struct BootOptions {
  std::string id;
  int spec_fd = -1;     // the container's config.json (as recorded)
  int control_fd = -1;  // the listening control socket
  int sync_fd = -1;     // "R" when booted, or "E" and an error message
  int gofer_fd = -1;    // the gofer's socket: the container's files
  int log_fd = -1;      // kernel logs and --strace; -1: stderr
  bool strace = false;
  bool debug = false;   // forbidden host syscalls raise SIGSYS and are named
};

// Returns the status a shell would show for the container's init.
Result<int> Boot(const BootOptions& options);

// The sync protocol, shared with the launcher.
inline constexpr char kBooted = 'R';
inline constexpr char kBootFailed = 'E';

}  // namespace cocoon::sandbox
