// Runs one runtime command as a timed child process: wall time, exit status
// and peak RSS (wait4's rusage), optionally in a private mount namespace.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"

namespace cocoon::bench {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path; no PATH search
  // Give the child its own mount namespace with / made rslave and these
  // mounts detached before exec (the hybrid host's cgroup2 mount for crun).
  bool private_mount_ns = false;
  std::vector<std::string> unmount_in_child;
  int stdout_fd = -1;  // -1 means /dev/null
  int stderr_fd = -1;  // -1 means /dev/null
  std::chrono::milliseconds timeout{60'000};
};

struct SpawnOutcome {
  int exit_code = 0;       // exit status, or 128 + signal number
  bool timed_out = false;  // killed by us after SpawnOptions::timeout
  int64_t wall_ns = 0;     // from before fork() until wait4() returned
  // ru_maxrss of wait4: the peak RSS of the child and of every descendant it
  // reaped itself (the kernel folds reaped children into it), in KiB.
  long max_rss_kib = 0;
  // ru_utime + ru_stime of the same processes: less sensitive than wall time
  // to other load on a shared machine.
  int64_t cpu_ns = 0;
};

// Forks, sets up the child (own process group, so a Ctrl-C at the terminal
// reaches only the driver; optional mount namespace; stdio), execs argv[0]
// and waits. An error means the child could not be started at all: a failed
// set-up step in the child is reported with its name and errno.
Result<SpawnOutcome> Spawn(const SpawnOptions& options);

// Set by the driver's SIGINT/SIGTERM handler. Spawn keeps waiting for the
// current child (briefly) so that nothing is left half-done.
void RequestStop();
bool StopRequested();

}  // namespace cocoon::bench
