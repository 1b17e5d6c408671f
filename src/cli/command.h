// What every command file shares: the global flags, and the registry through
// which a subcommand hands main() the action to run after parsing.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "base/error.h"
#include "container/store.h"

namespace cocoon::cli {

struct GlobalOptions {
  std::string root = "/run/cocoon";
  std::string log;
  std::string log_format = "text";
  bool debug = false;
  bool systemd_cgroup = false;
  std::string platform = "native";
  bool strace = false;  // sandboxed containers: log every guest syscall
};

// A command's action: returns the process exit status, or an error that main
// prints as one line and turns into exit status 1.
using Action = std::function<Result<int>()>;

struct Cli {
  CLI::App app{"cocoon: a sandboxed OCI container runtime", "cocoon"};
  GlobalOptions global;
  Action action;

  container::Store store() const { return container::Store(global.root); }
  // Registers a subcommand whose callback selects `action`.
  CLI::App* Add(const std::string& name, const std::string& description, Action action);
};

// One per command file.
void RegisterSpec(Cli& cli);
void RegisterCreate(Cli& cli);
void RegisterStart(Cli& cli);
void RegisterRun(Cli& cli);
void RegisterState(Cli& cli);
void RegisterList(Cli& cli);
void RegisterKill(Cli& cli);
void RegisterDelete(Cli& cli);
void RegisterExec(Cli& cli);
void RegisterPs(Cli& cli);
void RegisterPauseResume(Cli& cli);
void RegisterEvents(Cli& cli);
void RegisterUpdate(Cli& cli);
void RegisterFeatures(Cli& cli);
void RegisterBoot(Cli& cli);
void RegisterDo(Cli& cli);
void RegisterGofer(Cli& cli);

// Whether the existing container `id` runs in a sandbox (false when it does
// not exist: the native path then reports that).
bool Sandboxed(const Cli& cli, const std::string& id);

// An absolute path for `path` ("" means the current directory).
std::string AbsolutePath(const std::string& path);
// Prints JSON (or any text) followed by a newline on stdout.
void PrintLine(const std::string& text);

}  // namespace cocoon::cli

namespace cocoon::native {
struct CreateOptions;
struct Created;
}

namespace cocoon::cli {
// The flags `create` and `run` share; `id` is the positional container id.
void AddCreateFlags(CLI::App* sub, native::CreateOptions& options);
// create on the platform the flags and the bundle's annotation select.
Result<native::Created> CreateOnPlatform(const Cli& cli, container::Store& store, const native::CreateOptions& options);
// create, start and (unless `detach`) wait for the exit, then delete unless
// `keep`; returns the container's exit status.
Result<int> RunContainer(const Cli& cli, container::Store& store, const native::CreateOptions& options, bool detach,
                         bool keep);
}  // namespace cocoon::cli
