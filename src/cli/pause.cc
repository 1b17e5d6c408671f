// cocoon pause ID / cocoon resume ID: freeze and thaw every process of a container.
#include "cli/command.h"
#include "native/lifecycle.h"

namespace cocoon::cli {

void RegisterPauseResume(Cli& cli) {
  using Verb = Result<> (*)(container::Store&, const std::string&);
  struct Entry {
    const char* name;
    const char* description;
    Verb verb;
  };
  static constexpr Entry kVerbs[] = {{"pause", "suspend all processes of a container", &native::Pause},
                                     {"resume", "resume all processes of a paused container", &native::Resume}};
  for (const auto& entry : kVerbs) {
    auto id = std::make_shared<std::string>();
    Verb verb = entry.verb;
    auto* sub = cli.Add(entry.name, entry.description, [&cli, id, verb]() -> Result<int> {
      container::Store store = cli.store();
      TRY(verb(store, *id));
      return 0;
    });
    sub->add_option("id", *id, "container id")->required();
  }
}

}  // namespace cocoon::cli
