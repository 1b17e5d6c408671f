// Launching the sandbox process.
#include "sandbox/launch.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <linux/close_range.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>

#include <array>

#include "base/file.h"
#include "base/scope_guard.h"
#include "container/process_info.h"
#include "control/message.h"
#include "native/console.h"
#include "native/idmap.h"
#include "native/plan.h"
#include "sandbox/boot.h"
#include "sandbox/mounts.h"

extern char** environ;

namespace cocoon::sandbox {
namespace {

using container::Record;

// The sandbox's own namespaces, whatever the spec asks for the guest.
constexpr int kSandboxNamespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                                   CLONE_NEWNET;
// Root in the sandbox's user namespace is nobody on the host: the sandbox
// opens no host file itself (the gofer does, and donates fds).
constexpr uint32_t kSandboxHostId = 65534;
// Where the donated fds land in the sandbox, in this order.
enum DonatedFd { kSpecFd = 3, kControlFd, kSyncFd, kGoferFd, kLogFd };

struct Pipe {
  UniqueFd read, write;
};

Result<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) < 0) return std::unexpected(ErrnoError("pipe"));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<UniqueFd> SpecMemfd(const Record& record) {
  UniqueFd fd(::memfd_create("cocoon-spec", MFD_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError("memfd_create for the spec"));
  TRY(WriteAll(fd.get(), record.spec.dump()));
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return std::unexpected(ErrnoError("rewinding the spec memfd"));
  return fd;
}

struct Pty {
  UniqueFd master, slave;
};

Result<Pty> OpenPty() {
  Pty pty;
  pty.master = UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return std::unexpected(ErrnoError("opening /dev/ptmx"));
  if (::grantpt(pty.master.get()) < 0 || ::unlockpt(pty.master.get()) < 0)
    return std::unexpected(ErrnoError("unlocking the pty"));
  int number = 0;
  if (::ioctl(pty.master.get(), TIOCGPTN, &number) < 0) return std::unexpected(ErrnoError("TIOCGPTN"));
  pty.slave = TRY(OpenFile(fmt::format("/dev/pts/{}", number), O_RDWR | O_NOCTTY));
  return pty;
}

// A child of create (the sandbox, the gofer): everything it needs is
// computed before clone, so that the child only makes syscalls.
struct ChildPlan {
  int exe = -1;  // the cocoon binary, opened by root: exec needs no search of its path
  std::vector<std::string> args;
  std::vector<int> donated;  // become fds 3, 4, ... in order (-1: left closed)
  std::array<int, 3> stdio{-1, -1, -1};  // replacements for 0-2 (-1: keep ours)
  bool controlling_tty = false;          // stdio[0] is a pty slave to make our terminal
  int go = -1;                           // read end: wait for a byte before exec (-1: don't)
  unsigned long clone_flags = 0;         // namespaces
};

[[noreturn]] void RunChild(const ChildPlan& plan, char* const* argv, int* moved) {
  char byte;
  if (plan.go >= 0 && ::read(plan.go, &byte, 1) != 1) ::_exit(126);
  // Our ids until now are the host's root, unmapped in the new user
  // namespace: take its root, which is the mapped host id.
  if (plan.clone_flags & CLONE_NEWUSER) {
    if (::setgroups(0, nullptr) < 0 || ::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) ::_exit(125);
  }
  // Out of the way first, so that no donated fd lands on another's source
  // or on the binary.
  int exe = ::fcntl(plan.exe, F_DUPFD_CLOEXEC, 64);
  for (size_t i = 0; i < plan.donated.size(); ++i) {
    moved[i] = plan.donated[i] >= 0 ? ::fcntl(plan.donated[i], F_DUPFD_CLOEXEC, 64) : -1;
  }
  if (plan.controlling_tty) {
    ::setsid();
    ::ioctl(plan.stdio[0], TIOCSCTTY, 0);
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (plan.stdio[fd] >= 0) ::dup2(plan.stdio[fd], fd);
  }
  for (size_t i = 0; i < plan.donated.size(); ++i) {
    int target = 3 + static_cast<int>(i);
    if (moved[i] >= 0) ::dup2(moved[i], target);
  }
  ::syscall(SYS_close_range, 3 + plan.donated.size(), ~0U, CLOSE_RANGE_CLOEXEC);
  ::syscall(SYS_execveat, exe, "", argv, environ, AT_EMPTY_PATH);
  ::_exit(127);
}

Result<pid_t> SpawnChild(const ChildPlan& plan, std::string_view what) {
  std::vector<char*> argv;
  static char kArgv0[] = "cocoon";
  argv.push_back(kArgv0);
  for (const auto& a : plan.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<int> moved(plan.donated.size(), -1);
  pid_t pid = static_cast<pid_t>(
      ::syscall(SYS_clone, plan.clone_flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) return std::unexpected(ErrnoError(fmt::format("clone of the {}", what)));
  if (pid == 0) RunChild(plan, argv.data(), moved.data());
  return pid;
}

// Reads the sandbox's boot report: "R", or "E" and why it failed.
Result<> AwaitBoot(int sync, pid_t pid) {
  // Not TRY: GCC 12 warns of a maybe-uninitialized string through it.
  Result<std::string> report = ReadFd(sync);
  if (!report) return std::unexpected(report.error());
  std::string_view view = *report;
  if (view.size() == 1 && view.front() == kBooted) return {};
  if (view.starts_with(kBootFailed)) return std::unexpected(Errorf("sandbox boot: {}", view.substr(1)));
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return std::unexpected(MakeError("sandbox: exec of the cocoon binary (cocoon boot) failed"));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 125)
    return std::unexpected(MakeError("sandbox: becoming root of its user namespace failed"));
  return std::unexpected(Errorf("sandbox (cocoon boot) exited while booting (wait status {:#x})", status));
}

std::vector<std::string> BootArgs(const native::CreateOptions& options, const LaunchOptions& launch) {
  std::vector<std::string> args{"boot", "--id", options.id};
  auto add_fd = [&](const char* flag, int fd) { args.insert(args.end(), {flag, std::to_string(fd)}); };
  add_fd("--spec-fd", kSpecFd);
  add_fd("--control-fd", kControlFd);
  add_fd("--sync-fd", kSyncFd);
  add_fd("--gofer-fd", kGoferFd);
  if (launch.log_fd >= 0) add_fd("--log-fd", kLogFd);
  if (launch.strace) args.push_back("--strace");
  if (launch.debug) args.push_back("--debug");
  return args;
}

std::vector<std::string> GoferArgs(const native::CreatePlan& plan, const native::CreateOptions& options) {
  // The root is always read-only to the gofer: the sandbox keeps the guest's
  // changes in a tmpfs above it.
  std::vector<std::string> args{"gofer", "--rootfs", plan.rootfs, "--read-only", "--socket-fd", "3"};
  for (const auto& mount : GoferMounts(plan.spec, options.bundle)) {
    args.push_back("--mount");
    args.push_back(fmt::format("{}:{}{}", mount.host_path, mount.container_path, mount.read_only ? ":ro" : ""));
  }
  return args;
}

Result<std::pair<UniqueFd, UniqueFd>> SeqpacketPair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return std::unexpected(ErrnoError("socketpair for the gofer"));
  return std::pair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Starts the gofer serving `socket`, in the container's cgroup.
Result<pid_t> StartGofer(const native::CreatePlan& plan, const native::CreateOptions& options,
                         const LaunchOptions& launch, int exe, int socket) {
  UniqueFd null = TRY(OpenFile("/dev/null", O_RDWR));
  ChildPlan child;
  child.exe = exe;
  child.args = GoferArgs(plan, options);
  child.donated = {socket};
  child.stdio = {null.get(), null.get(), launch.log_fd};
  pid_t pid = TRY(SpawnChild(child, "gofer"));
  if (auto applied = plan.cgroup->Apply(pid); !applied) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return std::unexpected(applied.error().Wrap("putting the gofer in the container's cgroup"));
  }
  return pid;
}

// The sandbox's side of create, once the record exists: returns its pid.
Result<pid_t> StartSandbox(const container::Store& store, const native::CreatePlan& plan,
                           const native::CreateOptions& options, const LaunchOptions& launch, Record& record,
                           UniqueFd& console) {
  UniqueFd listener = TRY(control::ListenInDir(store.Dir(options.id), "control.sock"));
  UniqueFd spec = TRY(SpecMemfd(record));
  UniqueFd exe = TRY_CTX(OpenFile("/proc/self/exe", O_RDONLY), "finding the cocoon binary");
  auto [kernel_end, gofer_end] = TRY(SeqpacketPair());
  TRY(StartGofer(plan, options, launch, exe.get(), gofer_end.get()));
  gofer_end.reset();
  Pipe sync = TRY(MakePipe());
  Pipe go = TRY(MakePipe());
  std::optional<Pty> pty;
  if (plan.spec.process->terminal) pty = TRY(OpenPty());

  ChildPlan child;
  child.exe = exe.get();
  child.args = BootArgs(options, launch);
  child.donated = {spec.get(), listener.get(), sync.write.get(), kernel_end.get(), launch.log_fd};
  if (pty) {
    child.stdio = {pty->slave.get(), pty->slave.get(), pty->slave.get()};
    child.controlling_tty = true;
  }
  child.go = go.read.get();
  child.clone_flags = kSandboxNamespaces;
  pid_t pid = TRY(SpawnChild(child, "sandbox"));
  record.pid = pid;
  sync.write.reset();
  go.read.reset();
  TRY_CTX(plan.cgroup->Apply(pid), "putting the sandbox in the container's cgroup");
  TRY_CTX(plan.cgroup->Set(plan.resources), "setting cgroup limits");
  std::vector<oci::IdMapping> root_only{{.container_id = 0, .host_id = kSandboxHostId, .size = 1}};
  TRY_CTX(native::WriteIdMappings(pid, root_only, root_only), "mapping the sandbox's user namespace");
  TRY(WriteAll(go.write.get(), "g"));
  TRY(AwaitBoot(sync.read.get(), pid));
  if (pty) {
    if (options.keep_console) {
      console = std::move(pty->master);
    } else {
      TRY(native::SendToConsoleSocket(options.console_socket, pty->master.get()));
    }
  }
  return pid;
}

}  // namespace

Result<native::Created> Create(container::Store& store, const native::CreateOptions& options,
                               const LaunchOptions& launch) {
  native::CreatePlan plan = TRY(native::PlanCreate(options));
  container::Lock lock = TRY(store.CreateAndLock(options.id));
  Record record = native::NewRecord(options, plan);
  record.platform = launch.platform;
  ScopeGuard cleanup([&] { native::CleanUpFailedCreate(store, plan, record); });
  TRY(store.Save(record));
  // The same marker as the native exec FIFO: `created` until start removes it.
  std::string fifo = store.FifoPath(options.id);
  if (::mkfifo(fifo.c_str(), 0600) < 0) return std::unexpected(ErrnoError("mkfifo " + fifo));

  native::Created created;
  TRY(StartSandbox(store, plan, options, launch, record, created.console));
  auto stat = container::ReadProcStat(record.pid);
  if (!stat) return std::unexpected(Errorf("sandbox {} vanished", record.pid));
  record.pid_start_time = stat->start_time;
  TRY(store.Save(record));
  TRY(native::RunRuntimeHooks(plan.spec, record));
  record.create_finished = true;
  TRY(store.Save(record));
  if (!options.pid_file.empty())
    TRY_CTX(WriteFileAtomic(options.pid_file, std::to_string(record.pid), 0644), "writing the pid file");
  cleanup.release();
  created.record = std::move(record);
  return created;
}

}  // namespace cocoon::sandbox
