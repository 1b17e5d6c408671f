// Terminals for containers: a pty made inside the container, its master
// handed to the --console-socket (runc's protocol) or proxied by `run`.
#pragma once

#include <termios.h>

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

// Gives the terminal `to` the window size of the terminal `from`.
Result<> CopyWindowSize(int from, int to);

// Copies between our stdio and a container's pty master, for foreground
// `run -t` and `exec -t`, as part of the caller's poll loop. While it lives,
// our stdin terminal (if any) is in raw mode, so that keys reach the
// container's terminal unprocessed; the pty starts with our terminal's size.
class TerminalProxy {
 public:
  explicit TerminalProxy(int master);
  ~TerminalProxy();
  TerminalProxy(const TerminalProxy&) = delete;
  TerminalProxy& operator=(const TerminalProxy&) = delete;

  int master() const { return master_; }
  // Whether our stdin is still worth polling (false after its EOF).
  bool stdin_open() const { return stdin_open_; }
  // Copies our terminal's size to the pty: at start, and on SIGWINCH.
  void ResizeFromStdin() const;
  // Moves what poll said is ready (revents of the master and of stdin);
  // false once the master hung up (every slave is closed).
  bool OnReady(short master_events, short stdin_events);
  // Copies to stdout what the pty still holds, without blocking; for when
  // the process has exited.
  void Drain() const;

 private:
  int master_;
  termios saved_{};
  bool raw_ = false;
  bool stdin_open_ = true;
};

}  // namespace cocoon::native
