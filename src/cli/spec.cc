// cocoon spec [--bundle DIR] [--rootless]: write a starter config.json.
#include <fcntl.h>

#include "base/file.h"
#include "cli/command.h"
#include "oci/default_spec.h"

namespace cocoon::cli {

void RegisterSpec(Cli& cli) {
  struct Options {
    std::string bundle;
    bool rootless = false;
  };
  auto o = std::make_shared<Options>();
  auto* sub = cli.Add("spec", "write a new config.json", [o]() -> Result<int> {
    std::string path = AbsolutePath(o->bundle) + "/config.json";
    if (PathExists(path)) return std::unexpected(Errorf("file {} exists: remove it first", path));
    TRY(WriteFile(path, oci::DefaultSpec(o->rootless).dump(2) + "\n", O_CREAT | O_EXCL, 0644));
    return 0;
  });
  sub->add_option("-b,--bundle", o->bundle, "where to write config.json (default: current directory)");
  sub->add_flag("--rootless", o->rootless, "a spec for a container run without root");
}

}  // namespace cocoon::cli
