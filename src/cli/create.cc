// cocoon create [flags] ID: set up a container that waits for `start`.
#include "cli/command.h"
#include "native/lifecycle.h"

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

void RegisterCreate(Cli& cli) {
  auto options = std::make_shared<native::CreateOptions>();
  auto* sub = cli.Add("create", "create a container", [&cli, options]() -> Result<int> {
    options->bundle = AbsolutePath(options->bundle);
    if (!options->pid_file.empty()) options->pid_file = AbsolutePath(options->pid_file);
    container::Store store = cli.store();
    TRY(native::Create(store, *options));
    return 0;
  });
  AddCreateFlags(sub, *options);
}

}  // namespace cocoon::cli
