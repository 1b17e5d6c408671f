// cocoon start ID: let a created container run its process.
#include "cli/command.h"
#include "native/lifecycle.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {

void RegisterStart(Cli& cli) {
  auto id = std::make_shared<std::string>();
  auto* sub = cli.Add("start", "start a created container", [&cli, id]() -> Result<int> {
    container::Store store = cli.store();
    TRY(Sandboxed(cli, *id) ? sandbox::Start(store, *id) : native::Start(store, *id));
    return 0;
  });
  sub->add_option("id", *id, "container id")->required();
}

}  // namespace cocoon::cli
