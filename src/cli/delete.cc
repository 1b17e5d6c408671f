// cocoon delete [--force] ID...: remove stopped (or, forced, any) containers.
#include "cli/command.h"
#include "native/lifecycle.h"

namespace cocoon::cli {

void RegisterDelete(Cli& cli) {
  struct Options {
    std::vector<std::string> ids;
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = cli.Add("delete", "delete a container", [&cli, o]() -> Result<int> {
    container::Store store = cli.store();
    for (const auto& id : o->ids) {
      auto deleted = native::Delete(store, id, o->force);
      // runc: deleting what is already gone with --force is not an error.
      if (!deleted && !(o->force && deleted.error().message().ends_with("does not exist"))) return std::unexpected(deleted.error());
    }
    return 0;
  });
  sub->alias("rm");
  sub->add_option("id", o->ids, "container ids")->required();
  sub->add_flag("-f,--force", o->force, "kill the container first if it is running");
}

}  // namespace cocoon::cli
