// The OCI lifecycle on the native platform: create, start, kill, delete,
// exec, pause and resume of containers whose processes run on the host kernel.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "container/store.h"
#include "oci/spec.h"

namespace cocoon::native {

struct CreateOptions {
  std::string id;
  std::string bundle;  // absolute
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  // `run -t` in the foreground: return the pty master instead of sending it.
  bool keep_console = false;
};

struct Created {
  container::Record record;
  UniqueFd console;  // set with keep_console
};

Result<Created> Create(container::Store& store, const CreateOptions& options);
Result<> Start(container::Store& store, const std::string& id);
Result<> Kill(container::Store& store, const std::string& id, int signal, bool all);
Result<> Delete(container::Store& store, const std::string& id, bool force);
Result<> Pause(container::Store& store, const std::string& id);
Result<> Resume(container::Store& store, const std::string& id);

struct ExecOptions {
  oci::Process process;
  std::string console_socket;
  std::string pid_file;
  bool detach = false;
  int preserve_fds = 0;
};
// Runs a process in a running container. Returns its exit status (128+n for
// a signal) unless detached, then 0.
Result<int> Exec(container::Store& store, const std::string& id, const ExecOptions& options);

// Waits for a direct child and returns the status a shell would show.
Result<int> WaitForExit(pid_t pid);
// Exit status as a shell reports it: the code, or 128 + the signal.
int ShellStatus(int wait_status);

}  // namespace cocoon::native
