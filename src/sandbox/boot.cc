// The sandbox's life: confine, build the kernel, serve, exit with init.
#include "sandbox/boot.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "base/log.h"
#include "control/server.h"
#include <sys/mount.h>

#include "gofer/client.h"
#include "kernel/fs/gofer_fs.h"
#include "kernel/kernel.h"
#include "kernel/syscalls/sys_file.h"
#include "oci/parse.h"
#include "sandbox/confine.h"
#include "sandbox/mounts.h"
#include "sandbox/service.h"

namespace cocoon::sandbox {
namespace {

// Host signals the sandbox relays to the guest's init, as the container's
// init itself would receive them natively (`kill` of the container pid,
// `run` forwarding the terminal's signals).
constexpr int kForwardedSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM};

sigset_t ForwardedSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwardedSignals) sigaddset(&set, sig);
  return set;
}

void ForwardSignals(kernel::Kernel& kernel) {
  sigset_t set = ForwardedSet();
  for (;;) {
    int sig = sigwaitinfo(&set, nullptr);
    if (sig > 0) (void)kernel.Signal(1, sig);
  }
}

void Report(int sync_fd, char what, std::string_view text = {}) {
  std::string message(1, what);
  message += text;
  (void)WriteAll(sync_fd, message);
  ::close(sync_fd);
}

struct Sandbox {
  std::unique_ptr<kernel::Kernel> kernel;
  kernel::vfs::Ref<kernel::vfs::MountNamespace> mounts;
  oci::Spec spec;
};

// The spec's bind mounts, each a tree of the gofer's; those it does not
// serve (a file, a missing source) are skipped, as the launcher skipped them.
Result<> MountBinds(kernel::vfs::MountNamespace& mounts, const std::shared_ptr<gofer::Client>& gofer,
                    const oci::Spec& spec) {
  for (const auto& bind : BindMounts(spec, "")) {
    auto tree = kernel::fs::GoferFs::Create(gofer, bind.container_path);
    if (!tree) {
      log::Debug("sandbox: bind mount {} not served: {}", bind.container_path, tree.error().message());
      continue;
    }
    uint64_t flags = MS_NOSUID | (bind.read_only ? MS_RDONLY : 0);
    TRY_CTX(kernel::MountInSandbox(mounts, bind.container_path, std::move(*tree), flags), "bind mount");
  }
  return {};
}

Result<Sandbox> Build(const BootOptions& o) {
  Sandbox sandbox;
  std::string text = TRY_CTX(ReadFd(o.spec_fd), "reading the spec");
  ::close(o.spec_fd);
  sandbox.spec = TRY(oci::ParseSpec(text, "spec"));
  if (!sandbox.spec.process) return std::unexpected(MakeError("spec: process: required"));
  kernel::GuestOptions guest;
  guest.strace = o.strace;
  if (!sandbox.spec.hostname.empty()) guest.hostname = sandbox.spec.hostname;
  if (!sandbox.spec.domainname.empty()) guest.domainname = sandbox.spec.domainname;
  guest.strace_fd = o.log_fd >= 0 ? o.log_fd : 2;
  auto memory = TRY(kernel::MemoryFile::Create());
  auto platform = TRY(platform::NewPtracePlatform(memory->fd()));
  auto gofer = std::make_shared<gofer::Client>(UniqueFd(o.gofer_fd));
  auto root = TRY_CTX(kernel::fs::GoferFs::Create(gofer, "/"), "the container's root");
  sandbox.mounts = TRY(kernel::MakeSandboxMounts(std::move(root)));
  TRY(MountBinds(*sandbox.mounts, gofer, sandbox.spec));
  sandbox.kernel = std::make_unique<kernel::Kernel>(guest, std::move(memory), std::move(platform));
  return sandbox;
}

}  // namespace

Result<int> Boot(const BootOptions& o) {
  if (o.log_fd >= 0) log::SetOutput(o.log_fd);
  // Blocked before any thread exists, so only the forwarder sees them.
  sigset_t forwarded = ForwardedSet();
  pthread_sigmask(SIG_BLOCK, &forwarded, nullptr);
  const int keep[] = {o.spec_fd, o.control_fd, o.sync_fd, o.gofer_fd, o.log_fd};
  if (auto confined = ConfineSandbox(keep, o.debug); !confined) {
    Report(o.sync_fd, kBootFailed, confined.error().message());
    return std::unexpected(confined.error());
  }
  auto built = Build(o);
  if (!built) {
    Report(o.sync_fd, kBootFailed, built.error().message());
    return std::unexpected(built.error());
  }
  Sandbox& sandbox = *built;
  control::Server server{UniqueFd(o.control_fd)};
  Service service(*sandbox.kernel, sandbox.mounts, *sandbox.spec.process);
  service.Register(server);
  std::thread serving([&] {
    if (auto served = server.Serve(); !served) log::Error("sandbox {}: {}", o.id, served.error().message());
  });
  serving.detach();
  std::thread forwarding([&] { ForwardSignals(*sandbox.kernel); });
  forwarding.detach();
  Report(o.sync_fd, kBooted);
  if (!service.WaitForStart()) return 128 + SIGKILL;
  int status = sandbox.kernel->WaitAll();
  service.DrainRequests();
  // Threads still blocked in the server or the forwarder end with the process.
  ::_exit(status);
}

}  // namespace cocoon::sandbox
