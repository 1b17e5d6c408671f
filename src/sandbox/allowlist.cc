// The allow-list, as data.
#include "sandbox/allowlist.h"

#include <signal.h>
#include <unistd.h>

#include <array>

#include "linux/process_attrs.h"
#include "linux/seccomp_filter.h"

namespace cocoon::sandbox {
namespace {

constexpr auto kSyscalls = std::to_array<std::string_view>({
    // Files the sandbox was given, or opens beneath its root fd.
    "read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "close", "close_range",
    "fstat", "newfstatat", "statx", "lseek", "openat", "openat2", "getdents64", "readlinkat", "fcntl", "dup",
    "dup3", "ioctl", "ftruncate", "fallocate", "fsync", "fdatasync", "fstatfs", "pipe2", "faccessat2",
    // Memory: the kernel's heap and its mapping of the memory file, stub mappings.
    "mmap", "munmap", "mprotect", "mremap", "madvise", "brk", "memfd_create",
    // Threads, one per guest task, and their synchronisation.
    "clone", "clone3", "futex", "set_robust_list", "rseq", "sched_yield", "sched_getaffinity",
    "sched_setaffinity", "getcpu", "exit", "exit_group", "gettid", "getpid", "getppid", "set_tid_address",
    "prctl", "arch_prctl", "restart_syscall",
    // Signals within the sandbox (interrupting stubs, host signals forwarded to the guest).
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait", "sigaltstack", "tgkill", "tkill",
    "kill",
    // The ptrace platform: stubs are forked children, traced and reaped.
    "ptrace", "wait4", "waitid", "process_vm_readv", "process_vm_writev",
    // Waiting and time.
    "poll", "ppoll", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "eventfd2",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "getrandom",
    // The control and gofer sockets it was given (no socket(2): it makes no new ones).
    "accept4", "recvmsg", "sendmsg", "recvfrom", "sendto", "shutdown", "getsockopt",
    // Guest-visible facts the kernel asks the host about.
    "uname", "sysinfo", "getrusage", "times", "getuid", "geteuid", "getgid", "getegid",
});

}  // namespace

std::span<const std::string_view> SandboxSyscalls() { return kSyscalls; }

oci::Seccomp SandboxSeccompProfile(bool trap) {
  oci::Seccomp profile;
  profile.default_action = trap ? "SCMP_ACT_TRAP" : "SCMP_ACT_KILL_PROCESS";
  profile.architectures = {"SCMP_ARCH_X86_64"};
  oci::SeccompSyscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  for (std::string_view name : kSyscalls) allow.names.emplace_back(name);
  profile.syscalls.push_back(std::move(allow));
  return profile;
}

namespace {

// --debug: names the forbidden syscall on stderr, then dies as the filter
// would have killed us. Async-signal-safe: formats by hand.
void ReportForbiddenSyscall(int, siginfo_t* info, void*) {
  char line[] = "cocoon boot: forbidden host syscall 000\n";
  int nr = info->si_syscall;
  for (int i = 38; i >= 36; --i, nr /= 10) line[i] = static_cast<char>('0' + nr % 10);
  (void)!::write(2, line, sizeof(line) - 1);
  ::_exit(128 + SIGSYS);
}

}  // namespace

Result<> InstallSandboxFilter(bool trap) {
  if (trap) {
    struct sigaction action{};
    action.sa_sigaction = ReportForbiddenSyscall;
    action.sa_flags = SA_SIGINFO;
    if (::sigaction(SIGSYS, &action, nullptr) < 0) return std::unexpected(ErrnoError("sigaction SIGSYS"));
  }
  auto filter = TRY_CTX(linux::SeccompFilter::Compile(SandboxSeccompProfile(trap)), "the sandbox's seccomp filter");
  TRY(linux::SetNoNewPrivileges());
  return filter.Load();
}

}  // namespace cocoon::sandbox
