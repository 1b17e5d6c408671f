// The native container init: the steps between clone and the user's execve,
// in the order the runtime spec and runc use.
#include "native/init.h"

#include <fcntl.h>
#include <linux/keyctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.h"
#include "linux/personalities.h"
#include "linux/process_attrs.h"
#include "linux/sysctls.h"
#include "native/console.h"
#include "oci/hooks.h"
#include "oci/state.h"
#include "rootfs/rootfs.h"

namespace cocoon::native {
namespace {

Result<> JoinNewSessionKeyring() {
  // A private session keyring so containers do not share the host's keys.
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 && errno != ENOSYS)
    return std::unexpected(ErrnoError("joining a new session keyring"));
  return {};
}

// createContainer and startContainer hooks run inside the container; they see
// the state as of that moment.
Result<> RunInitHooks(const InitContext& ctx, const std::vector<oci::Hook>& hooks, std::string_view phase,
                      std::string_view status) {
  if (hooks.empty()) return {};
  oci::State state;
  state.oci_version = ctx.spec->oci_version;
  state.id = ctx.id;
  state.status = std::string(status);
  state.pid = static_cast<int>(::getpid());
  state.bundle = ctx.bundle;
  state.annotations = ctx.spec->annotations;
  return oci::RunHooks(hooks, oci::StateToJson(state).dump(), phase);
}

Result<> SetUpRoot(const InitContext& ctx) {
  const oci::Spec& spec = *ctx.spec;
  rootfs::RootfsOptions options;
  options.rootfs = ctx.rootfs;
  options.bundle = ctx.bundle;
  options.no_pivot = ctx.no_pivot;
  options.in_user_namespace = ctx.in_user_namespace;
  options.new_cgroup_namespace = ctx.new_cgroup_namespace;
  if (spec.linux) options.mount_label = spec.linux->mount_label;
  TRY(rootfs::PrepareRootfs(spec, options));

  // The runtime runs prestart and createRuntime hooks now, in its namespaces.
  TRY(ctx.sync->Send(SyncType::kRootfsReady));
  TRY(ctx.sync->Expect(SyncType::kAck));
  if (spec.hooks) TRY(RunInitHooks(ctx, spec.hooks->create_container, "createContainer", "created"));

  TRY(rootfs::EnterRootfs(options));
  if (spec.linux && !spec.linux->sysctl.empty()) TRY(linux::ApplySysctl(spec.linux->sysctl));
  if (!spec.hostname.empty()) TRY(linux::SetHostname(spec.hostname));
  if (!spec.domainname.empty()) TRY(linux::SetDomainname(spec.domainname));
  if (ctx.plan.process.terminal) {
    // Before FinalizeRootfs, which may make /dev read-only.
    Console console = TRY(SetupConsole(ctx.plan.process.console_size));
    TRY(rootfs::MountConsole(console.slave_path));
    TRY(ctx.sync->Send(SyncType::kConsole, 0, {}, console.master.get()));
  }
  // The cwd is created if missing, as runc does.
  if (!ctx.plan.process.cwd.empty()) TRY(MakeDirs(ctx.plan.process.cwd));
  TRY(rootfs::FinalizeRootfs(spec));
  return {};
}

Result<std::string> Prepare(const InitContext& ctx) {
  const oci::Spec& spec = *ctx.spec;
  if (!ctx.no_new_keyring) TRY(JoinNewSessionKeyring());
  TRY(SetUpRoot(ctx));
  // A session of its own, as a terminal requires (SetupConsole made one then).
  if (!ctx.plan.process.terminal) ::setsid();
  TRY(ApplyProcessAttributes(ctx.plan.process));
  if (spec.linux && spec.linux->personality) TRY(linux::ApplyPersonality(*spec.linux->personality));
  return ResolveExecutable(ctx.plan.process);
}

// Blocks until `start` opens the FIFO for reading, then tells it we are going.
Result<> WaitForStart(int fifo_opath_fd) {
  std::string path = fmt::format("/proc/self/fd/{}", fifo_opath_fd);
  UniqueFd fifo = TRY_CTX(OpenFile(path, O_WRONLY), "opening the exec fifo");
  TRY_CTX(WriteAll(fifo.get(), "0"), "writing the exec fifo");
  ::close(fifo_opath_fd);
  return {};
}

[[noreturn]] void Fail(const Error& error, const SyncSocket* sync) {
  if (sync) {
    (void)sync->SendError(error.Wrap("container init"));
  } else {
    std::string line = fmt::format("cocoon: container init: {}\n", error.message());
    (void)WriteAll(STDERR_FILENO, line);
  }
  ::_exit(1);
}

}  // namespace

void RunContainerInit(const InitContext& ctx) {
  auto executable = Prepare(ctx);
  if (!executable) Fail(executable.error(), ctx.sync);
  if (auto sent = ctx.sync->Send(SyncType::kCreated); !sent) Fail(sent.error(), ctx.sync);
  // From here on the runtime that created us may be gone.
  if (auto started = WaitForStart(ctx.exec_fifo_fd); !started) Fail(started.error(), nullptr);
  if (ctx.spec->hooks) {
    if (auto r = RunInitHooks(ctx, ctx.spec->hooks->start_container, "startContainer", "running"); !r)
      Fail(r.error(), nullptr);
  }
  auto exec_error = BecomeProcessAndExec(ctx.plan, *executable);
  Fail(exec_error.error(), nullptr);
}

}  // namespace cocoon::native
