// Terminals for containers: a pty made inside the container, its master
// handed to the --console-socket (runc's protocol) or proxied by `run`.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace cocoon::native {

struct Console {
  UniqueFd master;
  std::string slave_path;  // /dev/pts/N inside the container
};

// Opens a pty through /dev/ptmx of the current root, makes its slave our
// controlling terminal and stdio, and returns the master.
Result<Console> SetupConsole(const std::optional<oci::ConsoleSize>& size);

// Connects to the unix socket at `path` and sends `master` with SCM_RIGHTS,
// the pty's name as the message, as runc does.
Result<> SendToConsoleSocket(const std::string& path, int master);
// Connects to the console socket (one connection: the listener accepts one).
Result<UniqueFd> ConnectConsoleSocket(const std::string& path);

// Copies between our stdio and `master` until the master hangs up; puts our
// stdin terminal (if any) in raw mode meanwhile. For foreground `run -t`.
Result<> ProxyTerminal(int master);

}  // namespace cocoon::native
