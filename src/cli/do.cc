// cocoon do CMD [ARGS...]: runs a host command in a throwaway sandbox, as
// `runsc do` does: the host's root read-only under a tmpfs overlay, no
// network; prints what it prints and exits with its status.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file.h"
#include "base/scope_guard.h"
#include "cli/command.h"
#include "native/lifecycle.h"
#include "oci/default_spec.h"
#include "sandbox/lifecycle.h"

extern char** environ;

namespace cocoon::cli {
namespace {

std::string CurrentDirectory() {
  char cwd[4096];
  return ::getcwd(cwd, sizeof cwd) ? cwd : "/";
}

nlohmann::ordered_json DoSpec(const std::vector<std::string>& command, const std::string& platform) {
  nlohmann::ordered_json spec = oci::DefaultSpec(false);
  spec["root"] = {{"path", "/"}, {"readonly", true}};
  spec["process"]["terminal"] = false;
  spec["process"]["args"] = command;
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  spec["process"]["env"] = env;
  spec["process"]["cwd"] = CurrentDirectory();
  spec["annotations"] = {{std::string(sandbox::kPlatformAnnotation), platform}};
  return spec;
}

Result<int> Do(const Cli& cli, const std::vector<std::string>& command) {
  if (command.empty()) return std::unexpected(MakeError("do: no command given (usage: cocoon do CMD [ARGS...])"));
  std::string platform = cli.global.platform == "native" ? "ptrace" : cli.global.platform;
  char tmpl[] = "/tmp/cocoon-do-XXXXXX";
  if (!::mkdtemp(tmpl)) return std::unexpected(ErrnoError("making a bundle directory in /tmp"));
  std::string bundle = tmpl;
  ScopeGuard remove_bundle([&] {
    ::unlink((bundle + "/config.json").c_str());
    ::rmdir(bundle.c_str());
  });
  TRY(WriteFile(bundle + "/config.json", DoSpec(command, platform).dump(2), O_CREAT | O_EXCL, 0644));
  native::CreateOptions options;
  options.id = fmt::format("do-{}-{}", ::getpid(), bundle.substr(bundle.size() - 6));
  options.bundle = bundle;
  container::Store store = cli.store();
  return RunContainer(cli, store, options, /*detach=*/false, /*keep=*/false);
}

}  // namespace

void RegisterDo(Cli& cli) {
  auto self = std::make_shared<CLI::App*>();
  CLI::App* sub = cli.Add("do", "run a host command in a throwaway sandbox",
                          [&cli, self]() { return Do(cli, (*self)->remaining()); });
  *self = sub;
  sub->prefix_command();
}

}  // namespace cocoon::cli
