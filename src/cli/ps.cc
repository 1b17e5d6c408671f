// cocoon ps [--format table|json] ID [PS ARGS...]: the container's processes,
// as `ps` shows them (filtered to the container's cgroup) or as a JSON pid list.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include "base/file.h"
#include "cgroup/manager.h"
#include "cli/command.h"
#include "container/status.h"
#include "sandbox/lifecycle.h"

namespace cocoon::cli {
namespace {

// Runs the host's ps with `args` and returns its output.
Result<std::string> RunPs(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return std::unexpected(ErrnoError("pipe"));
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  std::vector<std::string> argv_strings{"ps"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(ErrnoError("fork"));
  if (pid == 0) {
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  write_end.reset();
  std::string out = TRY(ReadFd(read_end.get()));
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::unexpected(Errorf("ps {} failed (status {})", fmt::join(args, " "), status));
  return out;
}

// Keeps the header and the lines whose PID column is one of `pids`.
Result<std::string> FilterPsOutput(const std::string& text, const std::set<pid_t>& pids) {
  std::istringstream in(text);
  std::string header;
  std::getline(in, header);
  std::istringstream header_words(header);
  int pid_column = -1;
  std::string word;
  for (int i = 0; header_words >> word; ++i)
    if (word == "PID") pid_column = i;
  if (pid_column < 0) return std::unexpected(MakeError("ps output has no PID column"));
  std::string out = header + "\n";
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    for (int i = 0; words >> word; ++i) {
      if (i != pid_column) continue;
      if (pids.count(std::atoi(word.c_str()))) out += line + "\n";
      break;
    }
  }
  return out;
}

// The guest's processes, as the sandbox's kernel lists them.
Result<int> PrintSandboxPs(container::Store& store, const std::string& id, const std::string& format) {
  nlohmann::json processes = TRY(sandbox::Ps(store, id));
  if (format == "json") {
    std::vector<int> pids;
    for (const auto& p : processes) pids.push_back(p.value("pid", 0));
    PrintLine(nlohmann::json(pids).dump());
    return 0;
  }
  std::string table = fmt::format("{:>5} {:>5} {:>5} {:>4} {}\n", "PID", "PPID", "PGID", "STAT", "CMD");
  for (const auto& p : processes) {
    table += fmt::format("{:>5} {:>5} {:>5} {:>4} {}\n", p.value("pid", 0), p.value("ppid", 0), p.value("pgid", 0),
                         p.value("state", "?"), p.value("cmd", ""));
  }
  std::fputs(table.c_str(), stdout);
  return 0;
}

}  // namespace

void RegisterPs(Cli& cli) {
  struct Options {
    std::string id, format = "table";
  };
  auto o = std::make_shared<Options>();
  auto self = std::make_shared<CLI::App*>();
  CLI::App* sub = cli.Add("ps", "list the processes of a container", [&cli, o, self]() -> Result<int> {
    container::Store store = cli.store();
    container::Record record;
    {
      container::Lock lock = TRY(store.LockExisting(o->id));
      record = TRY(store.Load(o->id));
    }
    if (sandbox::IsSandboxed(record.platform)) return PrintSandboxPs(store, o->id, o->format);
    auto cgroup = TRY(cgroup::Manager::Load(record.cgroup));
    std::vector<pid_t> pids = TRY(cgroup->Pids());
    if (o->format == "json") {
      PrintLine(nlohmann::json(pids).dump());
      return 0;
    }
    std::vector<std::string> args = (*self)->remaining();
    if (args.empty()) args = {"-ef"};
    std::string table = TRY(FilterPsOutput(TRY(RunPs(args)), std::set<pid_t>(pids.begin(), pids.end())));
    std::fputs(table.c_str(), stdout);
    return 0;
  });
  *self = sub;
  sub->prefix_command();
  sub->add_option("id", o->id, "container id")->required();
  sub->add_option("-f,--format", o->format, "table or json")->check(CLI::IsMember({"table", "json"}));
}

}  // namespace cocoon::cli
