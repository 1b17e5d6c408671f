// Drives one runtime's CLI; every command's stderr is kept for error reports.
#include "bench/runtime.h"

#include <fcntl.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "base/file.h"

namespace cocoon::bench {
namespace {

// How much of a failed command's stderr goes into the error message.
constexpr size_t kStderrTail = 600;
constexpr std::chrono::milliseconds kStatePollInterval{1};

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > kStderrTail) text = "..." + text.substr(text.size() - kStderrTail);
  return text;
}

Result<std::string> ReadBack(int fd) {
  if (::lseek(fd, 0, SEEK_SET) < 0) return std::unexpected(ErrnoError("lseek"));
  return ReadFd(fd);
}

}  // namespace

Runtime::~Runtime() {
  for (const Error& error : Cleanup()) fmt::print(stderr, "bench: cleanup: {}\n", error.message());
}

Result<CommandResult> Runtime::Command(const std::vector<std::string>& args, int expected_exit,
                                       bool capture_stdout) {
  std::string what = fmt::format("{} {}", config_.name, fmt::join(args, " "));
  UniqueFd err_file = TRY(OpenFile(fmt::format("{}/{}.stderr", config_.scratch, config_.name),
                                   O_RDWR | O_CREAT | O_TRUNC, 0600));
  UniqueFd out_file;
  if (capture_stdout) {
    out_file = TRY(OpenFile(fmt::format("{}/{}.stdout", config_.scratch, config_.name),
                            O_RDWR | O_CREAT | O_TRUNC, 0600));
  }
  SpawnOptions options;
  options.argv = {config_.binary, "--root", config_.root};
  options.argv.insert(options.argv.end(), config_.global_args.begin(), config_.global_args.end());
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.private_mount_ns = config_.private_mount_ns;
  options.unmount_in_child = config_.unmount_in_child;
  options.stdout_fd = out_file ? out_file.get() : -1;
  options.stderr_fd = err_file.get();
  options.timeout = config_.timeout;

  CommandResult result;
  result.outcome = TRY_CTX(Spawn(options), what);
  if (result.outcome.timed_out || result.outcome.exit_code != expected_exit) {
    std::string stderr_text = Trimmed(ReadBack(err_file.get()).value_or(""));
    std::string status = result.outcome.timed_out
                             ? fmt::format("timed out after {} ms", config_.timeout.count())
                             : fmt::format("exit status {}", result.outcome.exit_code);
    if (expected_exit != 0) status += fmt::format(" (expected {})", expected_exit);
    return std::unexpected(
        Errorf("{}: {}{}{}", what, status, stderr_text.empty() ? "" : ": ", stderr_text));
  }
  if (capture_stdout) result.stdout_text = TRY_CTX(ReadBack(out_file.get()), what);
  return result;
}

Result<SpawnOutcome> Runtime::Run(const std::string& id, const std::string& bundle,
                                  int expected_exit) {
  live_ids_.insert(id);  // a failed run may leave the container behind
  CommandResult result = TRY(Command({"run", "--bundle", bundle, id}, expected_exit));
  live_ids_.erase(id);  // a foreground run deletes its container on exit
  return result.outcome;
}

Result<SpawnOutcome> Runtime::Create(const std::string& id, const std::string& bundle) {
  live_ids_.insert(id);
  CommandResult result = TRY(Command({"create", "--bundle", bundle, id}));
  return result.outcome;
}

Result<SpawnOutcome> Runtime::Start(const std::string& id) {
  CommandResult result = TRY(Command({"start", id}));
  return result.outcome;
}

Result<SpawnOutcome> Runtime::Delete(const std::string& id) {
  CommandResult result = TRY(Command({"delete", id}));
  live_ids_.erase(id);
  return result.outcome;
}

Result<SpawnOutcome> Runtime::Exec(const std::string& id, const std::vector<std::string>& args,
                                   int expected_exit) {
  std::vector<std::string> command = {"exec", id};
  command.insert(command.end(), args.begin(), args.end());
  CommandResult result = TRY(Command(command, expected_exit));
  return result.outcome;
}

Result<Runtime::State> Runtime::QueryState(const std::string& id) {
  CommandResult result = TRY(Command({"state", id}, 0, /*capture_stdout=*/true));
  auto json = nlohmann::json::parse(result.stdout_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("status") ||
      !json["status"].is_string())
    return std::unexpected(Errorf("{} state {}: no \"status\" in its output: {}", config_.name, id,
                                  Trimmed(result.stdout_text)));
  State state;
  state.status = json["status"].get<std::string>();
  if (json.contains("pid") && json["pid"].is_number_integer()) state.pid = json["pid"].get<int>();
  return state;
}

Result<> Runtime::WaitStopped(const std::string& id, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    State state = TRY(QueryState(id));
    if (state.status == "stopped") return {};
    if (std::chrono::steady_clock::now() > deadline || StopRequested())
      return std::unexpected(Errorf("{} {}: still \"{}\" after {} ms, expected \"stopped\"",
                                    config_.name, id, state.status, timeout.count()));
    std::this_thread::sleep_for(kStatePollInterval);
  }
}

Result<std::string> Runtime::Version() {
  SpawnOptions options;
  // --version takes no --root; run it directly.
  UniqueFd out_file = TRY(OpenFile(fmt::format("{}/{}.stdout", config_.scratch, config_.name),
                                   O_RDWR | O_CREAT | O_TRUNC, 0600));
  options.argv = {config_.binary, "--version"};
  options.stdout_fd = out_file.get();
  options.timeout = config_.timeout;
  SpawnOutcome outcome = TRY_CTX(Spawn(options), config_.name + " --version");
  if (outcome.exit_code != 0)
    return std::unexpected(Errorf("{} --version: exit status {}", config_.name, outcome.exit_code));
  std::string text = TRY(ReadBack(out_file.get()));
  return text.substr(0, text.find('\n'));
}

Result<> Runtime::ForceDelete(const std::string& id) {
  auto deleted = Command({"delete", "--force", id});
  // A container that never got far enough to exist is not a leak.
  if (!deleted && QueryState(id)) return std::unexpected(deleted.error());
  live_ids_.erase(id);
  return {};
}

std::vector<Error> Runtime::Cleanup() {
  std::vector<Error> errors;
  std::set<std::string> ids = live_ids_;
  for (const std::string& id : ids) {
    if (auto deleted = ForceDelete(id); !deleted) errors.push_back(deleted.error());
  }
  live_ids_.clear();
  return errors;
}

}  // namespace cocoon::bench
