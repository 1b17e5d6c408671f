// Helpers shared by the command files.
#include <unistd.h>

#include <cstdio>

#include "cli/command.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!::getcwd(cwd, sizeof cwd)) return path;
  if (path.empty() || path == ".") return cwd;
  return std::string(cwd) + "/" + path;
}

bool Sandboxed(const Cli& cli, const std::string& id) {
  auto record = cli.store().Load(id);
  return record && sandbox::IsSandboxed(record->platform);
}

void PrintLine(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace cocoon::cli
