// `exec` on the native platform: a new process in a running container's
// namespaces and cgroup, with the container's seccomp profile and the
// process's own user, capabilities and environment.
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.h"
#include "cgroup/manager.h"
#include "container/status.h"
#include "native/console.h"
#include "native/lifecycle.h"
#include "native/namespaces.h"
#include "native/process.h"
#include "native/sync.h"
#include "native/signal_forwarder.h"
#include "oci/parse.h"

namespace cocoon::native {
namespace {

using container::Record;
using container::Status;

struct ExecPlan {
  std::vector<NamespaceJoin> joins;
  ProcessPlan process;
};

// The exec'd process: set up a console if asked, become the process, exec.
// Errors go back over `sync`; success closes it (close-on-exec).
[[noreturn]] void RunExecProcess(const ExecPlan& plan, const SyncSocket& sync) {
  auto run = [&]() -> Result<> {
    if (plan.process.process.terminal) {
      Console console = TRY(SetupConsole(plan.process.process.console_size));
      TRY(sync.Send(SyncType::kConsole, 0, {}, console.master.get()));
    }
    TRY(ApplyProcessAttributes(plan.process.process));
    std::string executable = TRY(ResolveExecutable(plan.process.process));
    return BecomeProcessAndExec(plan.process, executable);
  };
  auto failed = run();
  (void)sync.SendError(failed.error());
  ::_exit(127);
}

// The intermediate: join the namespaces, then clone the process so it is in
// the container's pid namespace and a child of the runtime.
[[noreturn]] void RunExecIntermediate(const ExecPlan& plan, const SyncSocket& sync) {
  auto entered = [&]() -> Result<pid_t> {
    TRY(sync.Expect(SyncType::kAck));  // in the container's cgroup now
    TRY(JoinNamespaces(plan.joins));
    pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, static_cast<unsigned long>(CLONE_PARENT | SIGCHLD),
                                             nullptr, nullptr, nullptr, nullptr));
    if (pid < 0) return std::unexpected(ErrnoError("clone"));
    return pid;
  }();
  if (!entered) {
    (void)sync.SendError(entered.error());
    ::_exit(1);
  }
  if (*entered == 0) RunExecProcess(plan, sync);
  (void)sync.Send(SyncType::kInitPid, *entered);
  ::_exit(0);
}

// After the pid arrives: a console to hand over, then EOF (exec happened) or an error.
Result<UniqueFd> AwaitExec(const SyncSocket& sync, const ExecOptions& options) {
  UniqueFd console;
  for (;;) {
    auto msg = sync.Receive();
    if (!msg) return console;  // EOF: the socket closed on exec
    if (msg->type == SyncType::kError) return std::unexpected(Error(static_cast<int>(msg->value), msg->text));
    if (msg->type != SyncType::kConsole) return std::unexpected(MakeError("unexpected message from exec process"));
    if (!options.console_socket.empty()) {
      TRY(SendToConsoleSocket(options.console_socket, msg->fd.get()));
    } else {
      console = std::move(msg->fd);
    }
  }
}

}  // namespace

Result<int> Exec(container::Store& store, const std::string& id, const ExecOptions& options) {
  ExecPlan plan;
  std::unique_ptr<cgroup::Manager> cgroup;
  Record record;
  {
    container::Lock lock = TRY(store.LockExisting(id));
    record = TRY(store.Load(id));
    Status status = container::ComputeStatus(store, record);
    if (status == Status::kPaused) return std::unexpected(Errorf("cannot exec in a paused container \"{}\"", id));
    if (status != Status::kRunning && status != Status::kCreated)
      return std::unexpected(Errorf("cannot exec in a stopped container \"{}\"", id));
    plan.joins = TRY(NamespacesOfProcess(record.pid));
    cgroup = TRY(cgroup::Manager::Load(record.cgroup));
  }
  oci::Spec spec = TRY(oci::ParseSpec(record.spec.dump(), "recorded spec"));
  plan.process.process = options.process;
  if (spec.linux) plan.process.seccomp = spec.linux->seccomp;
  plan.process.preserve_fds = options.preserve_fds;
  if (options.process.terminal && options.console_socket.empty() && options.detach)
    return std::unexpected(MakeError("cannot allocate tty if cocoon will detach without setting console socket"));

  auto [ours, theirs] = TRY(SyncSocket::Pair());
  pid_t intermediate = ::fork();
  if (intermediate < 0) return std::unexpected(ErrnoError("fork"));
  if (intermediate == 0) {
    ours.Close();
    RunExecIntermediate(plan, theirs);
  }
  theirs.Close();
  auto started = [&]() -> Result<std::pair<pid_t, UniqueFd>> {
    TRY_CTX(cgroup->Apply(intermediate), "joining the container's cgroup");
    TRY(ours.Send(SyncType::kAck));
    SyncMessage pid_message = TRY(ours.Expect(SyncType::kInitPid));
    UniqueFd console = TRY(AwaitExec(ours, options));
    return std::pair{static_cast<pid_t>(pid_message.value), std::move(console)};
  }();
  if (!started) {
    ::kill(intermediate, SIGKILL);
    (void)WaitForExit(intermediate);
    return std::unexpected(std::move(started).error().Wrap("exec"));
  }
  (void)WaitForExit(intermediate);
  auto [pid, console] = std::move(*started);
  if (!options.pid_file.empty())
    TRY_CTX(WriteFileAtomic(options.pid_file, std::to_string(pid), 0644), "writing the pid file");
  if (options.detach) return 0;
  return ForwardSignalsAndWait(pid, console.get());
}

}  // namespace cocoon::native
