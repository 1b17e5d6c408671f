// cocoon boot (internal): the sandbox process, started by `create` with its
// fds donated; see sandbox/boot.h.
#include "cli/command.h"
#include "sandbox/boot.h"

namespace cocoon::cli {

void RegisterBoot(Cli& cli) {
  auto o = std::make_shared<sandbox::BootOptions>();
  auto* sub = cli.Add("boot", "run a sandbox (started by create; not for direct use)",
                      [o]() -> Result<int> { return sandbox::Boot(*o); });
  sub->group("");  // hidden from --help
  sub->add_option("--id", o->id, "container id")->required();
  sub->add_option("--spec-fd", o->spec_fd, "fd of the spec")->required();
  sub->add_option("--control-fd", o->control_fd, "fd of the listening control socket")->required();
  sub->add_option("--sync-fd", o->sync_fd, "fd to report the boot on")->required();
  sub->add_option("--gofer-fd", o->gofer_fd, "fd of the gofer's socket")->required();
  sub->add_option("--log-fd", o->log_fd, "fd of the log");
  sub->add_flag("--strace", o->strace, "log every guest syscall");
  sub->add_flag("--debug", o->debug, "name forbidden host syscalls (SIGSYS) instead of dying silently");
}

}  // namespace cocoon::cli
