// Timed fork/exec of one runtime command; the child runs a precomputed plan.
#include "bench/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <string_view>

#include "base/unique_fd.h"

namespace cocoon::bench {
namespace {

std::atomic<bool> g_stop_requested{false};

// How long a child may still run once Ctrl-C was pressed; runtime commands
// take milliseconds, so this only matters for a hung runtime.
constexpr std::chrono::milliseconds kStopGrace{10'000};

// The child's set-up steps; a failing one is sent to the parent by index.
enum class ChildStep : int { kSetpgid, kUnshare, kMakeRslave, kUnmount, kStdio, kExec };
constexpr std::array<std::string_view, 6> kChildStepNames = {
    "setpgid",    "unshare(CLONE_NEWNS)", "making / rslave",
    "unmounting", "redirecting stdio",    "exec"};

struct ChildFailure {
  ChildStep step;
  int err;
};

// Everything the child needs, computed before fork(): after it, the child
// only makes raw syscalls (no allocation, no locks, no logging).
struct ChildPlan {
  std::vector<char*> argv;
  std::vector<const char*> unmounts;
  bool private_mount_ns = false;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
};

[[noreturn]] void FailChild(int report_fd, ChildStep step) {
  ChildFailure failure{step, errno};
  ssize_t ignored = ::write(report_fd, &failure, sizeof failure);
  (void)ignored;
  ::_exit(127);
}

[[noreturn]] void RunChild(const ChildPlan& plan, int report_fd) {
  if (::setpgid(0, 0) < 0) FailChild(report_fd, ChildStep::kSetpgid);
  if (plan.private_mount_ns) {
    if (::unshare(CLONE_NEWNS) < 0) FailChild(report_fd, ChildStep::kUnshare);
    // rslave, not private: host mounts still propagate in, ours never out.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
      FailChild(report_fd, ChildStep::kMakeRslave);
    for (const char* path : plan.unmounts) {
      if (::umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
        FailChild(report_fd, ChildStep::kUnmount);
    }
  }
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 ||
      ::dup2(plan.stderr_fd, 2) < 0)
    FailChild(report_fd, ChildStep::kStdio);
  ::sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(plan.argv[0], plan.argv.data());
  FailChild(report_fd, ChildStep::kExec);
}

int64_t MonotonicNs() {
  ::timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t TimevalNs(const ::timeval& tv) {
  return int64_t{tv.tv_sec} * 1'000'000'000 + int64_t{tv.tv_usec} * 1000;
}

// Waits until the child exits or the timeout passes; false means timed out.
bool WaitForExit(pid_t pid, std::chrono::milliseconds timeout) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return true;  // no pidfd: the caller's blocking wait4 is all we can do
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + timeout;
  bool stop_seen = false;
  for (;;) {
    if (!stop_seen && StopRequested()) {
      stop_seen = true;
      deadline = std::min(deadline, Clock::now() + kStopGrace);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    ::pollfd pfd{pidfd.get(), POLLIN, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;
  }
}

Result<ChildPlan> MakePlan(const SpawnOptions& options, int devnull) {
  if (options.argv.empty() || options.argv[0].empty() || options.argv[0][0] != '/')
    return std::unexpected(MakeError("spawn: argv[0] must be an absolute path"));
  ChildPlan plan;
  for (const std::string& arg : options.argv) plan.argv.push_back(const_cast<char*>(arg.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& path : options.unmount_in_child) plan.unmounts.push_back(path.c_str());
  plan.private_mount_ns = options.private_mount_ns;
  plan.stdin_fd = devnull;
  plan.stdout_fd = options.stdout_fd >= 0 ? options.stdout_fd : devnull;
  plan.stderr_fd = options.stderr_fd >= 0 ? options.stderr_fd : devnull;
  return plan;
}

}  // namespace

void RequestStop() { g_stop_requested.store(true); }
bool StopRequested() { return g_stop_requested.load(); }

Result<SpawnOutcome> Spawn(const SpawnOptions& options) {
  const std::string& path = options.argv.empty() ? std::string() : options.argv[0];
  UniqueFd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) return std::unexpected(ErrnoError("opening /dev/null"));
  ChildPlan plan = TRY(MakePlan(options, devnull.get()));
  int report[2];
  if (::pipe2(report, O_CLOEXEC) < 0) return std::unexpected(ErrnoError("pipe2"));
  UniqueFd report_read(report[0]), report_write(report[1]);

  SpawnOutcome outcome;
  int64_t start_ns = MonotonicNs();
  pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(ErrnoError(fmt::format("fork for {}", path)));
  if (pid == 0) RunChild(plan, report_write.get());
  ::setpgid(pid, pid);  // also done by the child; whoever runs first wins
  report_write.reset();

  if (!WaitForExit(pid, options.timeout)) {
    outcome.timed_out = true;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError(fmt::format("wait4 for {}", path)));
  }
  outcome.wall_ns = MonotonicNs() - start_ns;
  outcome.max_rss_kib = usage.ru_maxrss;
  outcome.cpu_ns = TimevalNs(usage.ru_utime) + TimevalNs(usage.ru_stime);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

  ChildFailure failure{};
  if (::read(report_read.get(), &failure, sizeof failure) == sizeof failure) {
    auto step = kChildStepNames.at(static_cast<size_t>(failure.step));
    return std::unexpected(ErrnoError(fmt::format("starting {}: {}", path, step), failure.err));
  }
  return outcome;
}

}  // namespace cocoon::bench
