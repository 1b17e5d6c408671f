// cocoon gofer (internal): the file server of a sandbox, started by `create`
// with its socket donated; see gofer/gofer.h.
#include "cli/command.h"
#include "gofer/gofer.h"

namespace cocoon::cli {
namespace {

// --mount HOST:CONTAINER[:ro]
Result<gofer::GoferMount> ParseMount(const std::string& text) {
  size_t first = text.find(':');
  if (first == std::string::npos || first == 0)
    return std::unexpected(Errorf("gofer --mount {}: want HOST:CONTAINER[:ro]", text));
  gofer::GoferMount mount;
  mount.host_path = text.substr(0, first);
  std::string rest = text.substr(first + 1);
  if (rest.ends_with(":ro")) {
    mount.read_only = true;
    rest.resize(rest.size() - 3);
  }
  if (!rest.starts_with("/")) return std::unexpected(Errorf("gofer --mount {}: container path must be absolute", text));
  mount.container_path = rest;
  return mount;
}

}  // namespace

void RegisterGofer(Cli& cli) {
  struct Options {
    gofer::GoferOptions gofer;
    std::vector<std::string> mounts;
  };
  auto o = std::make_shared<Options>();
  auto* sub = cli.Add("gofer", "serve a sandbox's files (started by create; not for direct use)",
                      [o]() -> Result<int> {
                        for (const auto& text : o->mounts) o->gofer.mounts.push_back(TRY(ParseMount(text)));
                        return gofer::RunGofer(o->gofer);
                      });
  sub->group("");  // hidden from --help
  sub->add_option("--rootfs", o->gofer.rootfs, "the container's root directory")->required();
  sub->add_flag("--read-only", o->gofer.read_only, "refuse every change to the root");
  sub->add_option("--mount", o->mounts, "a bind mount to serve: HOST:CONTAINER[:ro]")->allow_extra_args(false);
  sub->add_option("--socket-fd", o->gofer.socket_fd, "fd of the socket to serve")->required();
}

}  // namespace cocoon::cli
