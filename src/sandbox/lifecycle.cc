// Sandboxed lifecycle over the control RPC.
#include "sandbox/lifecycle.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/file.h"
#include "container/status.h"
#include "control/client.h"
#include "native/console.h"
#include "base/log.h"
#include "oci/hooks.h"
#include "oci/parse.h"

namespace cocoon::sandbox {
namespace {

using container::Record;
using container::Status;

constexpr std::string_view kPlatforms[] = {"native", "ptrace"};

control::Client ClientFor(const container::Store& store, const std::string& id) {
  return control::Client(store.Dir(id), "control.sock");
}

Result<Record> LoadRunning(container::Store& store, const std::string& id, std::string_view verb) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status != Status::kRunning && status != Status::kCreated)
    return std::unexpected(Errorf("cannot {} a container that is {} (container \"{}\")", verb,
                                  container::StatusName(status), id));
  return record;
}

// Relays our signals to guest process `pid` while `done` is unset.
void RelaySignals(const control::Client& client, int pid, const std::atomic<bool>& done, const sigset_t& set) {
  timespec tick{0, 50'000'000};
  while (!done) {
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    if (sig > 0) (void)client.Call("signal", {{"pid", pid}, {"signal", sig}, {"group", true}});
  }
}

}  // namespace

std::string_view PlatformNames() { return "native, ptrace"; }

bool KnownPlatform(std::string_view platform) {
  return std::find(std::begin(kPlatforms), std::end(kPlatforms), platform) != std::end(kPlatforms);
}

bool IsSandboxed(std::string_view platform) { return platform != "native"; }

Result<std::string> SelectPlatform(const std::string& flag, const std::string& bundle) {
  std::string platform = flag;
  std::string source = "--platform";
  if (auto text = ReadFile(bundle + "/config.json")) {
    auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_object() && json.contains("annotations") && json["annotations"].is_object()) {
      auto it = json["annotations"].find(kPlatformAnnotation);
      if (it != json["annotations"].end() && it->is_string()) {
        platform = it->get<std::string>();
        source = fmt::format("annotation {}", kPlatformAnnotation);
      }
    }
  }
  if (KnownPlatform(platform)) return platform;
  return std::unexpected(Errorf("{}: unknown platform \"{}\" (available: {})", source, platform, PlatformNames()));
}

Result<> Start(container::Store& store, const std::string& id) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status != Status::kCreated)
    return std::unexpected(Errorf("cannot start a container that is {} (container \"{}\")",
                                  container::StatusName(status), id));
  TRY_CTX(ClientFor(store, id).Call("start"), fmt::format("starting container \"{}\"", id));
  ::unlink(store.FifoPath(id).c_str());
  // poststart failures are warnings (runtime spec), as on the native platform.
  auto spec = oci::ParseSpec(record.spec.dump(), "recorded spec");
  if (spec && spec->hooks && !spec->hooks->poststart.empty()) {
    auto ran = oci::RunHooks(spec->hooks->poststart, container::HookState(record, Status::kRunning).dump(),
                             "poststart");
    if (!ran) log::Warn("{}", ran.error().message());
  }
  return {};
}

Result<> Kill(container::Store& store, const std::string& id, int signal, bool all) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status == Status::kStopped) {
    if (all) return {};
    return std::unexpected(Errorf("container \"{}\" is not running", id));
  }
  auto sent = ClientFor(store, id).Call("signal", {{"pid", 1}, {"signal", signal}, {"all", all}});
  if (sent) return {};
  // A sandbox that cannot answer can still be killed from outside.
  if (signal == SIGKILL && ::kill(record.pid, SIGKILL) == 0) return {};
  return std::unexpected(sent.error());
}

Result<int> Exec(container::Store& store, const std::string& id, const native::ExecOptions& options) {
  Record record = TRY(LoadRunning(store, id, "exec in"));
  (void)record;
  control::Client client = ClientFor(store, id);
  const oci::Process& p = options.process;
  nlohmann::json params = {{"args", p.args}, {"env", p.env}, {"cwd", p.cwd.empty() ? "/" : p.cwd}};
  // With a console socket the process gets a pty of its own; otherwise our stdio.
  std::array<int, 3> stdio{0, 1, 2};
  UniqueFd slave;
  if (p.terminal && !options.console_socket.empty()) {
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || ::grantpt(master.get()) < 0 || ::unlockpt(master.get()) < 0)
      return std::unexpected(ErrnoError("opening a pty"));
    slave = TRY(OpenFile(::ptsname(master.get()), O_RDWR | O_NOCTTY));
    TRY(native::SendToConsoleSocket(options.console_socket, master.get()));
    stdio = {slave.get(), slave.get(), slave.get()};
  }
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH}) sigaddset(&set, sig);
  if (!options.detach) ::sigprocmask(SIG_BLOCK, &set, nullptr);
  auto reply = TRY_CTX(client.Call("exec", params, stdio), fmt::format("exec in container \"{}\"", id));
  int pid = reply.body.value("pid", 0);
  slave.reset();
  if (!options.pid_file.empty())
    TRY_CTX(WriteFileAtomic(options.pid_file, std::to_string(pid), 0644), "writing the pid file");
  if (options.detach) return 0;
  std::atomic<bool> done{false};
  std::thread relay([&] { RelaySignals(client, pid, done, set); });
  auto waited = client.Call("wait", {{"pid", pid}});
  done = true;
  relay.join();
  if (!waited) return std::unexpected(waited.error());
  return waited->body.value("status", 255);
}

Result<nlohmann::json> Ps(container::Store& store, const std::string& id) {
  TRY(LoadRunning(store, id, "list the processes of"));
  auto reply = TRY(ClientFor(store, id).Call("ps"));
  return reply.body.value("processes", nlohmann::json::array());
}

}  // namespace cocoon::sandbox
