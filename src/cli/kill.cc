// cocoon kill [--all] ID [SIGNAL]: signal the container's init (or all its processes).
#include <signal.h>

#include "cli/command.h"
#include "linux/signals.h"
#include "native/lifecycle.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {

void RegisterKill(Cli& cli) {
  struct Options {
    std::string id, signal = "SIGTERM";
    bool all = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = cli.Add("kill", "send a signal to a container", [&cli, o]() -> Result<int> {
    int signal = TRY(linux::ParseSignal(o->signal));
    container::Store store = cli.store();
    TRY(Sandboxed(cli, o->id) ? sandbox::Kill(store, o->id, signal, o->all)
                              : native::Kill(store, o->id, signal, o->all));
    return 0;
  });
  sub->add_option("id", o->id, "container id")->required();
  sub->add_option("signal", o->signal, "signal name or number (default SIGTERM)");
  sub->add_flag("-a,--all", o->all, "signal every process of the container");
}

}  // namespace cocoon::cli
