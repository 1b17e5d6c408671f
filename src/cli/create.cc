// cocoon create [flags] ID: set up a container that waits for `start`.
#include <fcntl.h>

#include "base/file.h"
#include "cli/command.h"
#include "native/lifecycle.h"
#include "sandbox/launch.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {

void AddCreateFlags(CLI::App* sub, native::CreateOptions& o) {
  sub->add_option("id", o.id, "container id")->required();
  sub->add_option("-b,--bundle", o.bundle, "path to the bundle (default: current directory)");
  sub->add_option("--pid-file", o.pid_file, "write the container's init pid to this file");
  sub->add_option("--console-socket", o.console_socket, "unix socket that receives the pty master");
  sub->add_flag("--no-pivot", o.no_pivot, "use chroot instead of pivot_root");
  sub->add_flag("--no-new-keyring", o.no_new_keyring, "keep the caller's session keyring");
  sub->add_option("--preserve-fds", o.preserve_fds, "pass this many extra fds (from 3) to the container");
}

Result<native::Created> CreateOnPlatform(const Cli& cli, container::Store& store,
                                         const native::CreateOptions& options) {
  std::string platform = TRY(sandbox::SelectPlatform(cli.global.platform, options.bundle));
  if (!sandbox::IsSandboxed(platform)) return native::Create(store, options);
  sandbox::LaunchOptions launch;
  launch.platform = platform;
  launch.strace = cli.global.strace;
  launch.debug = cli.global.debug;
  UniqueFd log;
  if (!cli.global.log.empty()) log = TRY(OpenFile(cli.global.log, O_WRONLY | O_CREAT | O_APPEND, 0644));
  launch.log_fd = log.get();
  return sandbox::Create(store, options, launch);
}

void RegisterCreate(Cli& cli) {
  auto options = std::make_shared<native::CreateOptions>();
  auto* sub = cli.Add("create", "create a container", [&cli, options]() -> Result<int> {
    options->bundle = AbsolutePath(options->bundle);
    if (!options->pid_file.empty()) options->pid_file = AbsolutePath(options->pid_file);
    container::Store store = cli.store();
    TRY(CreateOnPlatform(cli, store, *options));
    return 0;
  });
  AddCreateFlags(sub, *options);
}

}  // namespace cocoon::cli
