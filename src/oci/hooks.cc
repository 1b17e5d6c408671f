// Hook execution. Everything the child needs (argv, envp, the stdin memfd) is
// prepared before fork, so the child only makes raw syscalls until execve.
#include "oci/hooks.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <string>

#include "base/file.h"
#include "base/log.h"
#include "base/unique_fd.h"

namespace cocoon::oci {
namespace {

struct PhaseInfo {
  std::string_view name;
  std::vector<Hook> Hooks::*hooks;
  bool fatal;  // the runtime spec: only poststart/poststop failures are warnings
};
constexpr std::array<PhaseInfo, 6> kPhases{{
    {kPrestart, &Hooks::prestart, true},
    {kCreateRuntime, &Hooks::create_runtime, true},
    {kCreateContainer, &Hooks::create_container, true},
    {kStartContainer, &Hooks::start_container, true},
    {kPoststart, &Hooks::poststart, false},
    {kPoststop, &Hooks::poststop, false},
}};

const PhaseInfo* FindPhase(std::string_view phase) {
  for (const auto& info : kPhases)
    if (info.name == phase) return &info;
  return nullptr;
}

// A forked child that is killed (with its process group) and reaped unless
// it was waited for, so no error path leaves a hook process behind.
class HookChild {
 public:
  explicit HookChild(pid_t pid) : pid_(pid) {}
  HookChild(const HookChild&) = delete;
  HookChild& operator=(const HookChild&) = delete;
  ~HookChild() {
    if (pid_ > 0) {
      Kill();
      (void)Wait();
    }
  }

  pid_t pid() const { return pid_; }
  void Kill() {
    ::kill(-pid_, SIGKILL);  // the hook's own process group: its children too
    ::kill(pid_, SIGKILL);
  }
  // Reaps the child; returns its wait status.
  Result<int> Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) return std::unexpected(ErrnoError(fmt::format("waitpid {}", pid_)));
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

// Waits up to `timeout_s` seconds for the child to exit. Returns false on timeout.
Result<bool> WaitForExit(const HookChild& child, int timeout_s) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child.pid(), 0)));
  if (!pidfd) return std::unexpected(ErrnoError("pidfd_open"));
  long long timeout_ms = static_cast<long long>(timeout_s) * 1000;
  if (timeout_ms > INT_MAX) timeout_ms = INT_MAX;
  struct pollfd pfd {
    .fd = pidfd.get(), .events = POLLIN, .revents = 0
  };
  for (;;) {
    int n = ::poll(&pfd, 1, static_cast<int>(timeout_ms));
    if (n > 0) return true;
    if (n == 0) return false;
    // An interrupted poll restarts with the full timeout: a signal storm can only
    // lengthen the wait, never cut a hook short.
    if (errno != EINTR) return std::unexpected(ErrnoError("poll on hook pidfd"));
  }
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* abbrev = ::sigabbrev_np(WTERMSIG(status));
    return abbrev ? fmt::format("killed by signal SIG{}", abbrev)
                  : fmt::format("killed by signal {}", WTERMSIG(status));
  }
  return fmt::format("ended with wait status {:#x}", status);
}

// The state JSON as an in-memory file: the hook may read all, some or none of
// it without us blocking on a pipe or taking SIGPIPE.
Result<UniqueFd> StateFile(std::string_view state_json) {
  UniqueFd fd(::memfd_create("cocoon-hook-state", MFD_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError("memfd_create"));
  TRY_CTX(WriteAll(fd.get(), state_json), "writing the state for the hook");
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return std::unexpected(ErrnoError("lseek"));
  return fd;
}

// In the child: make `fd` our stdin without ever closing it first.
void ChildSetStdin(int fd) {
  if (fd == STDIN_FILENO)
    ::fcntl(fd, F_SETFD, 0);  // dup2 onto itself would keep O_CLOEXEC
  else
    ::dup2(fd, STDIN_FILENO);
}

// In the child: default signal dispositions and an empty mask, so the hook
// does not inherit what the runtime ignores or blocks (SIGPIPE, SIGCHLD...).
void ChildResetSignals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Runs the hook; errors are not yet prefixed with the hook's name.
Result<> Run(const Hook& hook, std::string_view state_json) {
  std::vector<char*> argv;
  for (const auto& arg : hook.args) argv.push_back(const_cast<char*>(arg.c_str()));
  if (argv.empty()) argv.push_back(const_cast<char*>(hook.path.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& var : hook.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  UniqueFd state = TRY(StateFile(state_json));
  // execve's errno comes back over this pipe; a successful exec closes it.
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) < 0) return std::unexpected(ErrnoError("pipe2"));
  UniqueFd exec_read(exec_pipe[0]), exec_write(exec_pipe[1]);

  pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(ErrnoError("fork"));
  if (pid == 0) {
    ::setpgid(0, 0);
    ChildSetStdin(state.get());
    ChildResetSignals();
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    int err = errno;
    (void)!::write(exec_write.get(), &err, sizeof err);
    ::_exit(127);
  }
  HookChild child(pid);
  ::setpgid(pid, pid);  // also here, so a kill of the group cannot race the child's own call
  exec_write.reset();

  int exec_errno = 0;
  ssize_t n;
  do n = ::read(exec_read.get(), &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    (void)child.Wait();
    return std::unexpected(ErrnoError("exec", exec_errno));
  }

  if (hook.timeout && *hook.timeout > 0) {
    bool exited = TRY(WaitForExit(child, *hook.timeout));
    if (!exited) {
      child.Kill();
      (void)child.Wait();
      return std::unexpected(Errorf("timed out after {}s and was killed", *hook.timeout));
    }
  }
  int status = TRY(child.Wait());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return std::unexpected(MakeError(DescribeStatus(status)));
}

Result<> RunLabelled(const Hook& hook, std::string_view state_json, std::string_view label) {
  return WithContext(Run(hook, state_json), fmt::format("{}hook {}", label, hook.path));
}

}  // namespace

Result<> RunHook(const Hook& hook, std::string_view state_json) {
  return RunLabelled(hook, state_json, "");
}

Result<> RunHooks(const std::vector<Hook>& hooks, std::string_view state_json,
                  std::string_view phase) {
  std::string label = fmt::format("{} ", phase);
  bool fatal = HookFailureIsFatal(phase);
  for (const Hook& hook : hooks) {
    auto result = RunLabelled(hook, state_json, label);
    if (result) continue;
    if (fatal) return result;
    log::Warn("{}", result.error().message());
  }
  return {};
}

bool HookFailureIsFatal(std::string_view phase) {
  const PhaseInfo* info = FindPhase(phase);
  return !info || info->fatal;
}

const std::vector<Hook>* HooksForPhase(const Hooks& hooks, std::string_view phase) {
  const PhaseInfo* info = FindPhase(phase);
  return info ? &(hooks.*info->hooks) : nullptr;
}

}  // namespace cocoon::oci
