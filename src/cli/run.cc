// cocoon run [flags] ID: create, start, wait for the exit, delete; the exit
// status is the container's.
#include <unistd.h>

#include "base/log.h"
#include "cli/command.h"
#include "native/console.h"
#include "native/lifecycle.h"
#include "native/signal_forwarder.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {
namespace {

struct RunOptions {
  native::CreateOptions create;
  bool detach = false;
  bool keep = false;
};

Result<int> Run(const Cli& cli, RunOptions& o) {
  o.create.bundle = AbsolutePath(o.create.bundle);
  if (!o.create.pid_file.empty()) o.create.pid_file = AbsolutePath(o.create.pid_file);
  o.create.keep_console = !o.detach && o.create.console_socket.empty();
  container::Store store = cli.store();
  return RunContainer(cli, store, o.create, o.detach, o.keep);
}

}  // namespace

Result<int> RunContainer(const Cli& cli, container::Store& store, const native::CreateOptions& options, bool detach,
                         bool keep) {
  native::Created created = TRY(CreateOnPlatform(cli, store, options));
  bool sandboxed = sandbox::IsSandboxed(created.record.platform);
  // The process starts with our terminal's size, not the pty's default 0x0
  // (the proxy keeps it in step afterwards).
  if (created.console && ::isatty(STDIN_FILENO)) (void)native::CopyWindowSize(STDIN_FILENO, created.console.get());
  auto started = sandboxed ? sandbox::Start(store, options.id) : native::Start(store, options.id);
  if (!started) {
    (void)native::Delete(store, options.id, true);
    return std::unexpected(started.error());
  }
  if (detach) return 0;
  // Both a native init and a sandbox are our children; a sandbox relays the
  // signals we forward to the guest's init and exits with its status.
  auto status = native::ForwardSignalsAndWait(created.record.pid, created.console.get());
  if (!keep) {
    if (auto deleted = native::Delete(store, options.id, true); !deleted) log::Warn("{}", deleted.error().message());
  }
  return status;
}

void RegisterRun(Cli& cli) {
  auto options = std::make_shared<RunOptions>();
  auto* sub = cli.Add("run", "create and run a container", [&cli, options] { return Run(cli, *options); });
  AddCreateFlags(sub, options->create);
  sub->add_flag("-d,--detach", options->detach, "do not wait for the container to exit");
  sub->add_flag("--keep", options->keep, "do not delete the container after it exits");
}

}  // namespace cocoon::cli
