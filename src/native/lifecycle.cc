// start, kill, delete, pause and resume of native containers.
#include "native/lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "base/file.h"
#include "base/log.h"
#include "cgroup/manager.h"
#include "container/process_info.h"
#include "container/status.h"
#include "oci/hooks.h"
#include "oci/parse.h"

namespace cocoon::native {
namespace {

using container::Record;
using container::Status;

Result<oci::Spec> RecordedSpec(const Record& record) {
  return oci::ParseSpec(record.spec.dump(), "recorded spec");
}

Result<std::unique_ptr<cgroup::Manager>> RecordedCgroup(const Record& record) {
  return cgroup::Manager::Load(record.cgroup);
}

// The file /proc/<pid>/exe names (device, inode), or nothing once it is gone.
std::optional<std::pair<dev_t, ino_t>> ExeIdentity(pid_t pid) {
  struct stat st {};
  if (::stat(fmt::format("/proc/{}/exe", pid).c_str(), &st) < 0) return std::nullopt;
  return std::pair{st.st_dev, st.st_ino};
}

// After the FIFO byte, init runs startContainer hooks and execs the program.
// `start` returns once it has, so a signal sent right after `start` finds the
// program (with its own handlers) rather than our init, for which the pid
// namespace drops signals without a handler. Bounded: a slow startContainer
// hook only delays start by so much.
void WaitForExec(const Record& record, const std::pair<dev_t, ino_t>& before) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    auto now = ExeIdentity(record.pid);
    if (!now || *now != before || !container::ProcessAlive(record.pid, record.pid_start_time)) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// Hooks whose failure only warrants a warning (poststart, poststop).
void RunHooksWarnOnly(const std::vector<oci::Hook>& hooks, const Record& record, Status status,
                      std::string_view phase) {
  if (hooks.empty()) return;
  auto ran = oci::RunHooks(hooks, container::HookState(record, status).dump(), phase);
  if (!ran) log::Warn("{}", ran.error().message());
}

// Waits until `pid` (not necessarily our child) is gone, for up to `tries` x 10 ms.
bool WaitGone(pid_t pid, uint64_t start_time, int tries) {
  for (int i = 0; i < tries; ++i) {
    if (!container::ProcessAlive(pid, start_time)) return true;
    ::waitpid(pid, nullptr, WNOHANG);  // in case it is ours (run)
    ::usleep(10000);
  }
  return !container::ProcessAlive(pid, start_time);
}

void SignalAll(const cgroup::Manager& cgroup, int signal) {
  if (auto pids = cgroup.Pids()) {
    for (pid_t pid : *pids) ::kill(pid, signal);
  }
}

// `kill --all`, as runc does it: freeze the cgroup so that no process can fork
// a child we would miss between listing the pids and signalling them, signal
// every pid, thaw. A container that was already paused stays paused (the
// signal is delivered when it is resumed), except for SIGKILL: a v1 freezer
// keeps killed tasks alive until they are thawed, so thaw to let them die.
Result<> FreezeAndSignalAll(cgroup::Manager& cgroup, int signal) {
  auto was_frozen = cgroup.IsFrozen();
  bool paused = was_frozen && *was_frozen;
  if (!paused) {
    // Without a freezer (or if it fails) signal anyway, as runc does.
    if (auto frozen = cgroup.Freeze(); !frozen) log::Warn("kill --all: {}", frozen.error().message());
  }
  auto pids = cgroup.Pids();
  for (pid_t pid : pids ? *pids : std::vector<pid_t>{}) {
    if (::kill(pid, signal) < 0 && errno != ESRCH) log::Warn("kill --all: kill {}: {}", pid, ErrnoName(errno));
  }
  if (!paused || signal == SIGKILL) {
    if (auto thawed = cgroup.Thaw(); !thawed) log::Warn("kill --all: {}", thawed.error().message());
  }
  if (!pids) return std::unexpected(std::move(pids).error());
  return {};
}

}  // namespace

int ShellStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 255;
}

Result<int> WaitForExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError(fmt::format("waiting for process {}", pid)));
  }
  return ShellStatus(status);
}

Result<> Start(container::Store& store, const std::string& id) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status != Status::kCreated)
    return std::unexpected(Errorf("cannot start a container that is {} (container \"{}\")",
                                  container::StatusName(status), id));
  std::string fifo_path = store.FifoPath(id);
  // Init blocks opening the FIFO until we do, so this is still its own binary.
  auto exe_before = ExeIdentity(record.pid);
  UniqueFd fifo = TRY(OpenFile(fifo_path, O_RDONLY | O_NONBLOCK));
  // Init opens the FIFO for writing and writes one byte; poll so that an init
  // that died meanwhile is noticed rather than waited for forever.
  for (;;) {
    pollfd pfd{fifo.get(), POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) return std::unexpected(ErrnoError("polling the exec fifo"));
    if (ready > 0 && (pfd.revents & POLLIN)) break;
    if (!container::ProcessAlive(record.pid, record.pid_start_time))
      return std::unexpected(Errorf("container \"{}\" init exited before start", id));
  }
  char byte;
  if (::read(fifo.get(), &byte, 1) != 1) return std::unexpected(ErrnoError("reading the exec fifo"));
  ::unlink(fifo_path.c_str());
  if (exe_before) WaitForExec(record, *exe_before);
  oci::Spec spec = TRY(RecordedSpec(record));
  if (spec.hooks) RunHooksWarnOnly(spec.hooks->poststart, record, Status::kRunning, "poststart");
  return {};
}

Result<> Kill(container::Store& store, const std::string& id, int signal, bool all) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status == Status::kStopped && !all) return std::unexpected(Errorf("container \"{}\" is not running", id));
  if (all) {
    auto cgroup = TRY(RecordedCgroup(record));
    // Init is gone but processes may be left (no pid namespace); once the
    // cgroup itself is gone there is nothing to signal.
    if (status == Status::kStopped && !cgroup->Pids()) return {};
    return WithContext(FreezeAndSignalAll(*cgroup, signal), fmt::format("signalling container {}", id));
  }
  if (::kill(record.pid, signal) < 0) return std::unexpected(ErrnoError(fmt::format("signalling container {}", id)));
  // As for --all: a frozen (v1) init does not die of SIGKILL until thawed.
  if (signal == SIGKILL && status == Status::kPaused) {
    if (auto cgroup = RecordedCgroup(record)) (void)(*cgroup)->Thaw();
  }
  return {};
}

Result<> Delete(container::Store& store, const std::string& id, bool force) {
  // A create killed before it saved anything left only its directory.
  if (force && TRY(store.RemoveUnfinished(id))) return {};
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if ((status == Status::kRunning || status == Status::kPaused) && !force)
    return std::unexpected(Errorf("cannot delete container {} that is not stopped: {}", id,
                                  container::StatusName(status)));
  auto cgroup = RecordedCgroup(record);
  if (status != Status::kStopped) {
    if (cgroup && status == Status::kPaused) (void)(*cgroup)->Thaw();
    if (container::ProcessAlive(record.pid, record.pid_start_time)) ::kill(record.pid, SIGKILL);
    if (!WaitGone(record.pid, record.pid_start_time, 500))
      return std::unexpected(Errorf("container \"{}\" init {} did not die after SIGKILL", id, record.pid));
  }
  if (cgroup) {
    // Whatever is left in the cgroup (no pid namespace, or escapees of a
    // dying pid namespace) goes too, then the cgroup itself.
    SignalAll(**cgroup, SIGKILL);
    if (auto destroyed = (*cgroup)->Destroy(); !destroyed) log::Warn("{}", destroyed.error().message());
  }
  if (auto spec = RecordedSpec(record); spec && spec->hooks && record.create_finished)
    RunHooksWarnOnly(spec->hooks->poststop, record, Status::kStopped, "poststop");
  return store.Remove(id);
}

Result<> Pause(container::Store& store, const std::string& id) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  Status status = container::ComputeStatus(store, record);
  if (status != Status::kRunning && status != Status::kCreated)
    return std::unexpected(Errorf("container \"{}\" is not running", id));
  auto cgroup = TRY(RecordedCgroup(record));
  return cgroup->Freeze();
}

Result<> Resume(container::Store& store, const std::string& id) {
  container::Lock lock = TRY(store.LockExisting(id));
  Record record = TRY(store.Load(id));
  if (container::ComputeStatus(store, record) != Status::kPaused)
    return std::unexpected(Errorf("container \"{}\" is not paused", id));
  auto cgroup = TRY(RecordedCgroup(record));
  return cgroup->Thaw();
}

}  // namespace cocoon::native
