// Launching the sandbox process.
#include "sandbox/launch.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include "base/file.h"
#include "base/scope_guard.h"
#include "container/process_info.h"
#include "control/message.h"
#include "native/console.h"
#include "native/idmap.h"
#include "native/plan.h"
#include "sandbox/boot.h"

namespace cocoon::sandbox {
namespace {

using container::Record;

// The sandbox's own namespaces, whatever the spec asks for the guest.
constexpr int kSandboxNamespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
                                   CLONE_NEWNET;
// Root in the sandbox's user namespace is this host uid and gid. Root for
// now: until the gofer serves the container's files, the sandbox reads them
// itself, and the guest must see their real owners. It has no capabilities
// on the host either way.
constexpr uint32_t kSandboxHostId = 0;
// Where the donated fds land in the sandbox, in this order.
enum DonatedFd { kSpecFd = 3, kControlFd, kSyncFd, kRootFd, kLogFd };

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

// Everything the child needs, computed before clone: it only makes syscalls.
struct ChildPlan {
  std::string exe;
  std::vector<std::string> args;
  std::array<int, 5> donated{-1, -1, -1, -1, -1};  // to kSpecFd.. in order
  int stdio = -1;  // a pty slave for fds 0-2, or -1 to keep ours
  int go = -1;     // read end: a byte once our uid maps and cgroup are in place
  int sync = -1;   // write end, for reporting a failed exec
};

[[noreturn]] void RunChild(const ChildPlan& plan, char* const* argv) {
  char byte;
  if (::read(plan.go, &byte, 1) != 1) ::_exit(126);
  std::array<int, 5> moved{-1, -1, -1, -1, -1};
  for (size_t i = 0; i < plan.donated.size(); ++i) {
    if (plan.donated[i] >= 0) moved[i] = ::fcntl(plan.donated[i], F_DUPFD_CLOEXEC, 64);
  }
  for (size_t i = 0; i < moved.size(); ++i) {
    if (moved[i] >= 0) ::dup2(moved[i], kSpecFd + static_cast<int>(i));
  }
  if (plan.stdio >= 0) {
    ::setsid();
    ::ioctl(plan.stdio, TIOCSCTTY, 0);
    for (int fd = 0; fd < 3; ++fd) ::dup2(plan.stdio, fd);
  }
  ::execv(plan.exe.c_str(), argv);
  static constexpr char kExecFailed[] = "Eexec of the sandbox (cocoon boot) failed";
  (void)!::write(kSyncFd, kExecFailed, sizeof(kExecFailed) - 1);
  ::_exit(127);
}

Result<pid_t> CloneSandbox(const ChildPlan& plan) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(plan.exe.c_str()));
  for (const auto& a : plan.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = static_cast<pid_t>(::syscall(SYS_clone, static_cast<unsigned long>(kSandboxNamespaces | SIGCHLD),
                                           nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) return std::unexpected(ErrnoError("clone of the sandbox"));
  if (pid == 0) RunChild(plan, argv.data());
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
  return std::unexpected(Errorf("sandbox (cocoon boot) exited while booting (wait status {:#x})", status));
}

std::vector<std::string> BootArgs(const native::CreateOptions& options, const LaunchOptions& launch) {
  std::vector<std::string> args{"boot", "--id", options.id};
  auto add_fd = [&](const char* flag, int fd) { args.insert(args.end(), {flag, std::to_string(fd)}); };
  add_fd("--spec-fd", kSpecFd);
  add_fd("--control-fd", kControlFd);
  add_fd("--sync-fd", kSyncFd);
  add_fd("--root-fd", kRootFd);
  if (launch.log_fd >= 0) add_fd("--log-fd", kLogFd);
  if (launch.strace) args.push_back("--strace");
  if (launch.debug) args.push_back("--debug");
  return args;
}

// The sandbox's side of create, once the record exists: returns its pid.
Result<pid_t> StartSandbox(const container::Store& store, const native::CreatePlan& plan,
                           const native::CreateOptions& options, const LaunchOptions& launch, Record& record,
                           UniqueFd& console) {
  UniqueFd listener = TRY(control::ListenInDir(store.Dir(options.id), "control.sock"));
  UniqueFd spec = TRY(SpecMemfd(record));
  UniqueFd root = TRY_CTX(OpenFile(plan.rootfs, O_RDONLY | O_DIRECTORY), "the container's root");
  Pipe sync = TRY(MakePipe());
  Pipe go = TRY(MakePipe());
  std::optional<Pty> pty;
  if (plan.spec.process->terminal) pty = TRY(OpenPty());

  ChildPlan child;
  child.exe = TRY_CTX(ReadLink("/proc/self/exe"), "finding the cocoon binary");
  child.args = BootArgs(options, launch);
  child.donated = {spec.get(), listener.get(), sync.write.get(), root.get(), launch.log_fd};
  child.stdio = pty ? pty->slave.get() : -1;
  child.go = go.read.get();
  pid_t pid = TRY(CloneSandbox(child));
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
