// Control methods.
#include "sandbox/service.h"

#include <csignal>

#include "base/log.h"
#include "kernel/syscalls/sys_file.h"

namespace cocoon::sandbox {
namespace {

Result<int> IntParam(const nlohmann::json& params, const char* name, int fallback) {
  auto it = params.find(name);
  if (it == params.end()) return fallback;
  if (!it->is_number_integer()) return std::unexpected(Errorf("control: {} must be an integer", name));
  return it->get<int>();
}

Result<std::vector<std::string>> StringsParam(const nlohmann::json& params, const char* name) {
  std::vector<std::string> out;
  auto it = params.find(name);
  if (it == params.end()) return out;
  if (!it->is_array()) return std::unexpected(Errorf("control: {} must be an array of strings", name));
  for (const auto& item : *it) {
    if (!item.is_string()) return std::unexpected(Errorf("control: {} must be an array of strings", name));
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

void Service::Register(control::Server& server) {
  auto add = [&](const char* name, auto method) {
    server.Handle(name, [this, method](const nlohmann::json& params, std::vector<UniqueFd>& fds) {
      {
        std::lock_guard lock(mu_);
        ++in_flight_;
      }
      auto result = method(params, fds);
      std::lock_guard lock(mu_);
      --in_flight_;
      changed_.notify_all();
      return result;
    });
  };
  add("start", [this](auto&, auto&) { return Start(); });
  add("exec", [this](auto& p, auto& fds) { return Exec(p, fds); });
  add("wait", [this](auto& p, auto&) { return Wait(p); });
  add("signal", [this](auto& p, auto&) { return Signal(p); });
  add("ps", [this](auto&, auto&) { return Ps(); });
  add("events", [this](auto&, auto&) { return Events(); });
  add("destroy", [this](auto&, auto&) { return Destroy(); });
  add("dump", [this](auto&, auto&) -> Result<nlohmann::json> { return nlohmann::json{{"tasks", kernel_.DumpTasks()}}; });
  add("logging", [this](auto& p, auto&) { return Logging(p); });
}

bool Service::WaitForStart() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [this] { return phase_ != Phase::kCreated; });
  return phase_ == Phase::kStarted;
}

void Service::DrainRequests() {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, std::chrono::seconds(1), [this] { return in_flight_ == 0; });
}

Result<nlohmann::json> Service::Start() {
  std::lock_guard lock(mu_);
  if (phase_ != Phase::kCreated) return std::unexpected(MakeError("the container was already started"));
  auto files = TRY(kernel::MakeProcessFiles(mounts_, {0, 1, 2}, init_.cwd.empty() ? "/" : init_.cwd));
  int pid = TRY(kernel_.Spawn(init_.args, init_.env, std::move(files)));
  phase_ = Phase::kStarted;
  changed_.notify_all();
  return nlohmann::json{{"pid", pid}};
}

Result<nlohmann::json> Service::Exec(const nlohmann::json& params, std::vector<UniqueFd>& fds) {
  if (fds.size() != 3) return std::unexpected(Errorf("exec: want 3 stdio fds, got {}", fds.size()));
  auto args = TRY(StringsParam(params, "args"));
  if (args.empty()) return std::unexpected(MakeError("exec: args: empty"));
  auto env = TRY(StringsParam(params, "env"));
  std::string cwd = params.value("cwd", "/");
  auto files = TRY(kernel::MakeProcessFiles(mounts_, {fds[0].get(), fds[1].get(), fds[2].get()}, cwd));
  int pid = TRY(kernel_.Spawn(args, env, std::move(files)));
  return nlohmann::json{{"pid", pid}};
}

Result<nlohmann::json> Service::Wait(const nlohmann::json& params) {
  int pid = TRY(IntParam(params, "pid", 1));
  int status = TRY(kernel_.WaitProcess(pid));
  return nlohmann::json{{"status", kernel::ShellStatus(status)}};
}

Result<nlohmann::json> Service::Signal(const nlohmann::json& params) {
  int pid = TRY(IntParam(params, "pid", 1));
  int signo = TRY(IntParam(params, "signal", SIGTERM));
  // "all": every process; "group": the process group `pid` leads (the
  // foreground group of an exec'd process, which leads its own).
  if (params.value("all", false)) pid = 0;
  else if (params.value("group", false)) pid = -pid;
  TRY(kernel_.Signal(pid, signo));
  return nlohmann::json::object();
}

Result<nlohmann::json> Service::Ps() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : kernel_.ListProcesses()) {
    list.push_back({{"pid", p.pid}, {"ppid", p.ppid}, {"pgid", p.pgid}, {"threads", p.threads},
                    {"state", std::string(1, p.state)}, {"cmd", p.name}});
  }
  return nlohmann::json{{"processes", list}};
}

Result<nlohmann::json> Service::Events() {
  auto processes = kernel_.ListProcesses();
  int threads = 0;
  for (const auto& p : processes) threads += p.threads;
  return nlohmann::json{{"pids", {{"current", threads}}}, {"processes", processes.size()}};
}

Result<nlohmann::json> Service::Destroy() {
  {
    std::lock_guard lock(mu_);
    if (phase_ == Phase::kCreated) phase_ = Phase::kDestroyed;
    changed_.notify_all();
  }
  if (auto init = kernel_.ListProcesses(); !init.empty()) (void)kernel_.Signal(0, SIGKILL);
  return nlohmann::json::object();
}

Result<nlohmann::json> Service::Logging(const nlohmann::json& params) {
  if (auto strace = params.find("strace"); strace != params.end() && strace->is_boolean()) kernel_.set_strace(*strace);
  if (auto level = params.find("level"); level != params.end()) {
    static const std::map<std::string, log::Level> kLevels{
        {"debug", log::Level::kDebug}, {"info", log::Level::kInfo}, {"warn", log::Level::kWarn}, {"error", log::Level::kError}};
    auto it = level->is_string() ? kLevels.find(level->get<std::string>()) : kLevels.end();
    if (it == kLevels.end()) return std::unexpected(Errorf("logging: unknown level {}", level->dump()));
    log::SetLevel(it->second);
  }
  return nlohmann::json::object();
}

}  // namespace cocoon::sandbox
