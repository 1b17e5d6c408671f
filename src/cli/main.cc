// cocoon: parses the global flags and the command, runs it, and turns an
// error into one line on stderr (and the --log file) and exit status 1.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "base/log.h"
#include "cli/command.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {
namespace {

void AddGlobalFlags(Cli& cli) {
  auto& g = cli.global;
  cli.app.add_option("--root", g.root, "directory for container state")->capture_default_str();
  cli.app.add_option("--log", g.log, "log file (default: stderr)");
  cli.app.add_option("--log-format", g.log_format, "log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  cli.app.add_flag("--debug", g.debug, "log debug messages");
  cli.app.add_flag("--systemd-cgroup", g.systemd_cgroup, "use systemd to manage cgroups (not supported)");
  cli.app.add_option("--platform", g.platform, "where containers run: native or ptrace (a sandbox)")
      ->capture_default_str();
  cli.app.add_flag("--strace", g.strace, "sandboxed containers: log every guest syscall");
  // Flags runc accepts that change nothing here.
  cli.app.add_option("--criu", "path to criu (unused)");
  cli.app.add_option("--rootless", "ignored: rootless mode is detected");
}

Result<> ApplyGlobalFlags(const GlobalOptions& g) {
  if (!g.log.empty()) {
    int fd = ::open(g.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return std::unexpected(ErrnoError("opening log file " + g.log));
    log::SetOutput(fd);
  }
  log::SetFormat(g.log_format == "json" ? log::Format::kJson : log::Format::kText);
  // Without --log, stderr is often the container's own: keep it to errors.
  log::SetLevel(g.debug ? log::Level::kDebug : g.log.empty() ? log::Level::kError : log::Level::kInfo);
  if (g.systemd_cgroup)
    return std::unexpected(MakeError("--systemd-cgroup is not supported: use cgroupfs (e.g. podman --cgroup-manager cgroupfs)"));
  if (!sandbox::KnownPlatform(g.platform))
    return std::unexpected(
        Errorf("--platform: unknown platform \"{}\" (available: {})", g.platform, sandbox::PlatformNames()));
  return {};
}

int Fail(const GlobalOptions& g, const Error& error) {
  std::fprintf(stderr, "cocoon: %s\n", error.message().c_str());
  if (!g.log.empty()) log::Error("{}", error.message());
  return 1;
}

}  // namespace

CLI::App* Cli::Add(const std::string& name, const std::string& description, Action run) {
  CLI::App* sub = app.add_subcommand(name, description);
  sub->callback([this, run = std::move(run)] { action = run; });
  return sub;
}

}  // namespace cocoon::cli

int main(int argc, char** argv) {
  using namespace cocoon::cli;
  Cli cli;
  cli.app.require_subcommand(1);
  cli.app.set_version_flag("-v,--version", "cocoon version 0.1.0\nspec: 1.0.2-dev");
  AddGlobalFlags(cli);
  RegisterSpec(cli);
  RegisterCreate(cli);
  RegisterStart(cli);
  RegisterRun(cli);
  RegisterState(cli);
  RegisterList(cli);
  RegisterKill(cli);
  RegisterDelete(cli);
  RegisterExec(cli);
  RegisterPs(cli);
  RegisterPauseResume(cli);
  RegisterEvents(cli);
  RegisterUpdate(cli);
  RegisterFeatures(cli);
  RegisterBoot(cli);
  RegisterDo(cli);
  RegisterGofer(cli);
  try {
    cli.app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.app.exit(e);
  }
  if (auto applied = ApplyGlobalFlags(cli.global); !applied) return Fail(cli.global, applied.error());
  auto status = cli.action();
  if (!status) return Fail(cli.global, status.error());
  return *status;
}
