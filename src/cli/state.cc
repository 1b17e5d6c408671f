// cocoon state ID: the container's state as JSON.
#include "cli/command.h"
#include "container/status.h"

namespace cocoon::cli {

void RegisterState(Cli& cli) {
  auto id = std::make_shared<std::string>();
  auto* sub = cli.Add("state", "print the state of a container", [&cli, id]() -> Result<int> {
    container::Store store = cli.store();
    container::Lock lock = TRY(store.LockExisting(*id));
    container::Record record = TRY(store.Load(*id));
    PrintLine(container::CliState(record, container::ComputeStatus(store, record)).dump(2));
    return 0;
  });
  sub->add_option("id", *id, "container id")->required();
}

}  // namespace cocoon::cli
