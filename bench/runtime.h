// One OCI runtime under test (cocoon, crun or runc) driven through its CLI,
// with a private --root and a record of the containers it still holds.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "bench/spawn.h"

namespace cocoon::bench {

struct RuntimeConfig {
  std::string name;     // "cocoon", "cocoon-ptrace", "crun", "runc"
  std::string binary;   // absolute path
  std::vector<std::string> global_args;  // after --root: "--platform=ptrace" for cocoon-ptrace
  std::string root;     // private --root state directory
  std::string scratch;  // where the command's stdout/stderr files go
  bool private_mount_ns = true;
  std::vector<std::string> unmount_in_child;
  std::chrono::milliseconds timeout{60'000};
};

struct CommandResult {
  SpawnOutcome outcome;
  std::string stdout_text;  // only when asked for
};

class Runtime {
 public:
  explicit Runtime(RuntimeConfig config) : config_(std::move(config)) {}
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
  ~Runtime();

  const RuntimeConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }

  // `<binary> --root <root> <args...>`. Fails (with the command's stderr in
  // the message) unless it exits with `expected_exit`.
  Result<CommandResult> Command(const std::vector<std::string>& args, int expected_exit = 0,
                                bool capture_stdout = false);

  // The OCI verbs the benchmark times. Each returns the timed outcome.
  Result<SpawnOutcome> Run(const std::string& id, const std::string& bundle, int expected_exit = 0);
  Result<SpawnOutcome> Create(const std::string& id, const std::string& bundle);
  Result<SpawnOutcome> Start(const std::string& id);
  Result<SpawnOutcome> Delete(const std::string& id);
  Result<SpawnOutcome> Exec(const std::string& id, const std::vector<std::string>& args,
                            int expected_exit = 0);

  // `delete --force`; forgets the id once the runtime no longer has it.
  Result<> ForceDelete(const std::string& id);

  // `state`: the "status" and "pid" of the container (not timed).
  struct State {
    std::string status;
    int pid = 0;
  };
  Result<State> QueryState(const std::string& id);
  // Polls `state` until the container is "stopped".
  Result<> WaitStopped(const std::string& id, std::chrono::milliseconds timeout);

  // `--version`, first line.
  Result<std::string> Version();

  // `delete --force` of every container this runtime may still hold; returns
  // what failed. Also run by the destructor.
  std::vector<Error> Cleanup();

 private:
  RuntimeConfig config_;
  std::set<std::string> live_ids_;  // created and not yet deleted
};

}  // namespace cocoon::bench
