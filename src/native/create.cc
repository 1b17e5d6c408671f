// `create` on the native platform: the runtime side of container setup. The
// runtime forks an intermediate process that enters and creates namespaces,
// which clones the container's init (as a child of the runtime, so `run` can
// wait for it); the three talk over a sync socket.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pwd.h>

#include "base/clock.h"
#include "base/file.h"
#include "base/scope_guard.h"
#include "cgroup/convert.h"
#include "cgroup/manager.h"
#include "container/process_info.h"
#include "container/status.h"
#include "linux/capabilities.h"
#include "linux/lsm.h"
#include "linux/rlimits.h"
#include "linux/seccomp_filter.h"
#include "linux/sysctls.h"
#include "native/console.h"
#include "native/idmap.h"
#include "native/init.h"
#include "native/lifecycle.h"
#include "native/namespaces.h"
#include "native/plan.h"
#include "oci/hooks.h"
#include "oci/parse.h"
#include "oci/validate.h"

namespace cocoon::native {
namespace {

using container::Record;
using container::Status;

Result<> ValidateProcess(const oci::Spec& spec) {
  const oci::Process& process = *spec.process;
  if (process.capabilities) {
    TRY(linux::ValidateCapabilities(*process.capabilities));
    // In a new user namespace init gets a full set of its own.
    bool new_userns = spec.linux && std::any_of(spec.linux->namespaces.begin(), spec.linux->namespaces.end(),
                                                [](const auto& ns) { return ns.type == "user" && ns.path.empty(); });
    if (!new_userns) TRY(linux::CheckHeld(*process.capabilities));
  }
  TRY(linux::ValidateRlimits(process.rlimits));
  TRY(linux::ValidateLsm(process));
  if (spec.linux) {
    if (spec.linux->seccomp) TRY(linux::ValidateSeccomp(*spec.linux->seccomp));
    if (!spec.linux->sysctl.empty()) TRY(linux::ValidateSysctl(spec.linux->sysctl, spec));
  }
  return {};
}

// The spec's device rules, then the ones every container needs, after a
// deny-all so that only what is listed is allowed.
oci::Resources ResourcesWithDevices(const oci::Spec& spec) {
  oci::Resources resources = spec.linux && spec.linux->resources ? *spec.linux->resources : oci::Resources{};
  std::vector<oci::DeviceCgroupRule> rules{{.allow = false, .type = "a", .access = "rwm"}};
  rules.insert(rules.end(), resources.devices.begin(), resources.devices.end());
  if (spec.linux) {
    for (const auto& dev : spec.linux->devices) {
      std::string type = dev.type == "u" ? "c" : dev.type;
      if (type == "p") continue;
      rules.push_back({.allow = true, .type = type, .major = dev.major, .minor = dev.minor, .access = "rwm"});
    }
  }
  for (const auto& rule : cgroup::DefaultAllowedDevices()) rules.push_back(rule);
  resources.devices = std::move(rules);
  return resources;
}

}  // namespace

Result<CreatePlan> PlanCreate(const CreateOptions& options) {
  CreatePlan plan;
  plan.spec = TRY(oci::LoadSpec(options.bundle));
  TRY(oci::ValidateSpec(plan.spec, options.bundle));
  if (!plan.spec.process) return std::unexpected(MakeError("config.json: process: required for create"));
  TRY(ValidateProcess(plan.spec));
  plan.namespaces = TRY(PlanNamespaces(plan.spec));
  if (plan.spec.process->terminal && options.console_socket.empty() && !options.keep_console)
    return std::unexpected(MakeError(
        "cannot allocate tty if cocoon will detach without setting console socket (--console-socket)"));
  if (!options.console_socket.empty()) {
    // Checked without connecting: the listener accepts exactly one connection.
    struct stat st;
    if (::stat(options.console_socket.c_str(), &st) < 0 || !S_ISSOCK(st.st_mode))
      return std::unexpected(Errorf("--console-socket {}: not a unix socket", options.console_socket));
  }
  plan.rootfs = oci::RootfsPath(plan.spec, options.bundle);
  std::string cgroups_path = plan.spec.linux ? plan.spec.linux->cgroups_path : "";
  plan.cgroup = TRY(cgroup::Manager::Create(cgroups_path, options.id));
  plan.resources = ResourcesWithDevices(plan.spec);
  return plan;
}

namespace {

// The host uid and gid that container root maps to (0 without a user namespace).
std::pair<uid_t, gid_t> ContainerRootOnHost(const oci::Spec& spec) {
  auto host_of_root = [](const std::vector<oci::IdMapping>& maps) -> uint32_t {
    for (const auto& m : maps)
      if (m.container_id == 0 && m.size > 0) return m.host_id;
    return 0;
  };
  if (!spec.linux) return {0, 0};
  return {host_of_root(spec.linux->uid_mappings), host_of_root(spec.linux->gid_mappings)};
}

std::string OwnerName() {
  passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : std::to_string(::geteuid());
}

// clone(2) without a new stack: returns twice like fork. CLONE_PARENT makes
// the container's init a child of the runtime rather than of the intermediate.
pid_t CloneProcess(int flags) {
  return static_cast<pid_t>(::syscall(SYS_clone, static_cast<unsigned long>(flags | SIGCHLD), nullptr, nullptr,
                                      nullptr, nullptr));
}

Result<> WriteTimeOffsets(const oci::Spec& spec) {
  std::string text;
  for (const auto& [clock, offset] : spec.linux->time_offsets)
    text += fmt::format("{} {} {}\n", clock, offset.secs, offset.nanosecs);
  if (text.empty()) return {};
  return WriteFile("/proc/self/timens_offsets", text);
}

// The intermediate process: enter and create namespaces, then clone init.
Result<pid_t> EnterNamespacesAndCloneInit(const CreatePlan& plan, const SyncSocket& sync) {
  TRY(sync.Expect(SyncType::kAck));  // we are in the container's cgroup now
  TRY(JoinNamespaces(plan.namespaces.joins));
  if (plan.namespaces.Creates(CLONE_NEWUSER)) {
    if (::unshare(CLONE_NEWUSER) < 0) return std::unexpected(ErrnoError("unshare user namespace"));
    TRY(sync.Send(SyncType::kUsernsReady));
    TRY(sync.Expect(SyncType::kAck));
    if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0)
      return std::unexpected(ErrnoError("becoming root in the user namespace"));
  }
  int unshare_now = plan.namespaces.new_flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
                                                 CLONE_NEWCGROUP);
  if (unshare_now && ::unshare(unshare_now) < 0) return std::unexpected(ErrnoError("unshare namespaces"));
  if (plan.namespaces.Creates(CLONE_NEWTIME)) {
    if (::unshare(CLONE_NEWTIME) < 0) return std::unexpected(ErrnoError("unshare time namespace"));
    TRY(WriteTimeOffsets(plan.spec));
  }
  pid_t pid = CloneProcess(CLONE_PARENT | (plan.namespaces.new_flags & CLONE_NEWPID));
  if (pid < 0) return std::unexpected(ErrnoError("clone of the container init"));
  return pid;
}

[[noreturn]] void RunIntermediate(const CreatePlan& plan, const CreateOptions& options, const SyncSocket& sync,
                                  int fifo_fd) {
  auto pid = EnterNamespacesAndCloneInit(plan, sync);
  if (!pid) {
    (void)sync.SendError(pid.error());
    ::_exit(1);
  }
  if (*pid == 0) {
    InitContext ctx;
    ctx.spec = &plan.spec;
    ctx.id = options.id;
    ctx.rootfs = plan.rootfs;
    ctx.bundle = options.bundle;
    ctx.no_pivot = options.no_pivot;
    ctx.no_new_keyring = options.no_new_keyring;
    ctx.in_user_namespace = plan.namespaces.Creates(CLONE_NEWUSER) ||
                            std::any_of(plan.namespaces.joins.begin(), plan.namespaces.joins.end(),
                                        [](const auto& j) { return j.kind->clone_flag == CLONE_NEWUSER; });
    ctx.new_cgroup_namespace = plan.namespaces.Creates(CLONE_NEWCGROUP);
    ctx.exec_fifo_fd = fifo_fd;
    ctx.plan.process = *plan.spec.process;
    if (plan.spec.linux) ctx.plan.seccomp = plan.spec.linux->seccomp;
    ctx.plan.preserve_fds = options.preserve_fds;
    ctx.sync = &sync;
    RunContainerInit(ctx);
  }
  (void)sync.Send(SyncType::kInitPid, *pid);
  ::_exit(0);
}

}  // namespace

Result<> RunRuntimeHooks(const oci::Spec& spec, const Record& record) {
  if (!spec.hooks) return {};
  // runtime-spec 1.0 places prestart between create and the user program,
  // with the container "created" (the validation suite checks the status it
  // reads on stdin); createRuntime is part of create and sees "creating".
  std::string prestart_state = container::HookState(record, Status::kCreated).dump();
  TRY(oci::RunHooks(spec.hooks->prestart, prestart_state, "prestart"));
  std::string state = container::HookState(record, Status::kCreating).dump();
  TRY(oci::RunHooks(spec.hooks->create_runtime, state, "createRuntime"));
  return {};
}

namespace {

// The runtime's half of the conversation with the intermediate and init.
Result<> Converse(const CreatePlan& plan, const CreateOptions& options, const container::Store& store,
                  Record& record, pid_t intermediate, const SyncSocket& sync, UniqueFd& console) {
  // Which dirs are ours is saved before any is made, so that a delete after
  // a create killed from here on removes the parents it made too.
  plan.cgroup->PlanCreation();
  record.cgroup = plan.cgroup->Save();
  TRY(store.Save(record));
  TRY_CTX(plan.cgroup->Apply(intermediate), "joining the container's cgroup");
  TRY_CTX(plan.cgroup->Set(plan.resources), "setting cgroup limits");
  TRY(sync.Send(SyncType::kAck));
  if (plan.namespaces.Creates(CLONE_NEWUSER)) {
    TRY(sync.Expect(SyncType::kUsernsReady));
    TRY(WriteIdMappings(intermediate, plan.spec.linux->uid_mappings, plan.spec.linux->gid_mappings));
    TRY(sync.Send(SyncType::kAck));
  }
  // The intermediate reports init's pid once clone returns, but init does not
  // wait for that: on a busy machine its kRootfsReady can arrive first.
  SyncMessage pid_message = TRY(sync.Receive());
  bool rootfs_ready = pid_message.type == SyncType::kRootfsReady;
  if (rootfs_ready) pid_message = TRY(sync.Expect(SyncType::kInitPid));
  if (pid_message.type == SyncType::kError)
    return std::unexpected(Error(static_cast<int>(pid_message.value), pid_message.text));
  if (pid_message.type != SyncType::kInitPid)
    return std::unexpected(Errorf("unexpected sync message {} (wanted {})", static_cast<uint32_t>(pid_message.type),
                                  static_cast<uint32_t>(SyncType::kInitPid)));
  record.pid = static_cast<pid_t>(pid_message.value);
  (void)WaitForExit(intermediate);
  auto stat = container::ReadProcStat(record.pid);
  if (!stat) return std::unexpected(Errorf("container init {} vanished", record.pid));
  record.pid_start_time = stat->start_time;
  TRY(store.Save(record));  // from now on `delete --force` can find and kill it

  if (!rootfs_ready) TRY(sync.Expect(SyncType::kRootfsReady));
  TRY(RunRuntimeHooks(plan.spec, record));
  TRY(sync.Send(SyncType::kAck));
  for (;;) {
    SyncMessage msg = TRY(sync.Receive());
    if (msg.type == SyncType::kError) return std::unexpected(Error(static_cast<int>(msg.value), msg.text));
    if (msg.type == SyncType::kCreated) return {};
    if (msg.type != SyncType::kConsole) return std::unexpected(MakeError("unexpected message from container init"));
    if (options.keep_console) {
      console = std::move(msg.fd);
    } else {
      TRY(SendToConsoleSocket(options.console_socket, msg.fd.get()));
    }
  }
}

}  // namespace

// Undoes a failed create: the init and anything it started, the cgroup, the state.
void CleanUpFailedCreate(const container::Store& store, const CreatePlan& plan, const Record& record) {
  if (record.pid > 0) {
    ::kill(record.pid, SIGKILL);
    (void)WaitForExit(record.pid);
  }
  if (auto pids = plan.cgroup->Pids()) {
    for (pid_t pid : *pids) ::kill(pid, SIGKILL);
  }
  (void)plan.cgroup->Destroy();
  (void)store.Remove(record.id);
}

Record NewRecord(const CreateOptions& options, const CreatePlan& plan) {
  Record record;
  record.id = options.id;
  record.bundle = options.bundle;
  record.rootfs = plan.rootfs;
  record.created = NowRfc3339();
  record.owner = OwnerName();
  record.cgroup = plan.cgroup->Save();
  record.spec = oci::SpecToJson(plan.spec);
  record.annotations = plan.spec.annotations;
  return record;
}

Result<Created> Create(container::Store& store, const CreateOptions& options) {
  CreatePlan plan = TRY(PlanCreate(options));
  container::Lock lock = TRY(store.CreateAndLock(options.id));
  Record record = NewRecord(options, plan);
  ScopeGuard cleanup([&] { CleanUpFailedCreate(store, plan, record); });
  TRY(store.Save(record));

  std::string fifo = store.FifoPath(options.id);
  if (::mkfifo(fifo.c_str(), 0622) < 0) return std::unexpected(ErrnoError("mkfifo " + fifo));
  // Owned by the container's root, who opens it for writing (runc does the same).
  if (auto owner = ContainerRootOnHost(plan.spec); ::chown(fifo.c_str(), owner.first, owner.second) < 0)
    return std::unexpected(ErrnoError("chown " + fifo));
  UniqueFd fifo_fd = TRY(OpenFile(fifo, O_PATH));
  auto [ours, theirs] = TRY(SyncSocket::Pair());

  pid_t intermediate = ::fork();
  if (intermediate < 0) return std::unexpected(ErrnoError("fork"));
  if (intermediate == 0) {
    ours.Close();
    lock.CloseInChild();
    // Not close-on-exec: init opens it through /proc/self/fd after pivot_root.
    int fd = ::fcntl(fifo_fd.get(), F_DUPFD, 3);
    RunIntermediate(plan, options, theirs, fd);
  }
  theirs.Close();
  fifo_fd.reset();
  Created created;
  auto conversed = Converse(plan, options, store, record, intermediate, ours, created.console);
  if (!conversed) {
    ::kill(intermediate, SIGKILL);
    (void)WaitForExit(intermediate);
    return std::unexpected(std::move(conversed).error());
  }
  record.create_finished = true;
  TRY(store.Save(record));
  if (!options.pid_file.empty())
    TRY_CTX(WriteFileAtomic(options.pid_file, std::to_string(record.pid), 0644), "writing the pid file");
  cleanup.release();
  created.record = std::move(record);
  return created;
}

}  // namespace cocoon::native
