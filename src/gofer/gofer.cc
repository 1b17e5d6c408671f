// The gofer process: confinement, then the file server.
#include "gofer/gofer.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "linux/capabilities.h"
#include "linux/process_attrs.h"
#include "linux/seccomp_filter.h"
#include "oci/spec.h"

namespace cocoon::gofer {

namespace {

constexpr std::string_view kAllowedSyscalls[] = {
    // The protocol socket.
    "recvmsg", "sendmsg",
    // File operations of the server (all fd-relative).
    "openat2", "newfstatat", "statx", "fstat", "fstatfs", "getdents64", "lseek", "mkdirat",
    "mknodat", "symlinkat", "linkat", "unlinkat", "renameat2", "readlinkat", "fchownat",
    "fchmodat2", "utimensat", "ftruncate", "fsync", "fdatasync", "close", "read",
    // Logging, the C++ runtime and the allocator.
    "write", "writev", "fcntl", "brk", "mmap", "munmap", "mremap", "mprotect",
    "madvise", "futex", "set_robust_list", "rseq", "rt_sigaction", "rt_sigprocmask",
    "rt_sigreturn", "sigaltstack", "getpid", "gettid", "tgkill", "clock_gettime",
    "clock_nanosleep", "nanosleep", "getrandom", "sched_yield", "prlimit64", "exit",
    "exit_group", "restart_syscall",
};

#if defined(__SANITIZE_ADDRESS__)
// The sanitizer runtime checks memory readability with a pipe.
constexpr std::string_view kSanitizerSyscalls[] = {"pipe2", "pipe"};
#endif

constexpr int kKeptCapabilities[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,  // any owner, any mode; linkat(AT_EMPTY_PATH)
    CAP_FOWNER,  CAP_FSETID,                             // chmod/utimes of others' files, keep set-id bits
    CAP_MKNOD,                                           // device nodes the guest creates
};

Result<UniqueFd> OpenDirectory(const std::string& path, std::string_view what) {
  UniqueFd fd(open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError(fmt::format("opening {} {}", what, path)));
  return fd;
}

Result<> RaiseFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) < 0) return std::unexpected(ErrnoError("getrlimit NOFILE"));
  lim.rlim_cur = lim.rlim_max;  // every node holds an fd
  if (setrlimit(RLIMIT_NOFILE, &lim) < 0) return std::unexpected(ErrnoError("setrlimit NOFILE"));
  return {};
}

Result<> DropCapabilities() {
  uint64_t keep = 0;
  for (int cap : kKeptCapabilities) keep |= uint64_t{1} << cap;
  TRY(linux::DropBoundingSet(keep));
  linux::CapabilityMasks masks;
  masks.effective = masks.permitted = masks.bounding = keep;
  TRY(linux::ApplyCapabilities(masks));
  return {};
}

Result<> InstallSeccomp() {
  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_KILL_PROCESS";
  oci::SeccompSyscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  allow.names.assign(std::begin(kAllowedSyscalls), std::end(kAllowedSyscalls));
#if defined(__SANITIZE_ADDRESS__)
  allow.names.insert(allow.names.end(), std::begin(kSanitizerSyscalls), std::end(kSanitizerSyscalls));
#endif
  profile.syscalls.push_back(std::move(allow));
  auto filter = TRY(linux::SeccompFilter::Compile(profile));
  TRY(linux::SetNoNewPrivileges());
  TRY(filter.Load());
  return {};
}

}  // namespace

std::span<const std::string_view> AllowedSyscalls() { return kAllowedSyscalls; }
std::span<const int> KeptCapabilities() { return kKeptCapabilities; }

Result<ConfinedTrees> Confine(const GoferOptions& options) {
  if (unshare(CLONE_NEWNS) < 0) return std::unexpected(ErrnoError("unshare mount namespace"));
  // Nothing this process does to mounts may reach the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
    return std::unexpected(ErrnoError("making mounts private"));
  }
  ConfinedTrees trees;
  trees.root = TRY(OpenDirectory(options.rootfs, "rootfs"));
  for (const auto& m : options.mounts) {
    if (m.container_path.empty() || m.container_path[0] != '/') {
      return std::unexpected(Errorf("mount {}: container path must be absolute", m.container_path));
    }
    UniqueFd dir = TRY(OpenDirectory(m.host_path, "mount source"));
    trees.mounts.push_back({m.container_path, std::move(dir), m.read_only});
  }
  // Read (and cached) now: capability dropping needs it and /proc is gone after the chroot.
  TRY_CTX(linux::HostLastCapability(), "reading the last capability");
  // Absolute paths (there should be none after this) mean the rootfs.
  if (fchdir(trees.root.get()) < 0) return std::unexpected(ErrnoError("chdir " + options.rootfs));
  if (chroot(".") < 0) return std::unexpected(ErrnoError("chroot " + options.rootfs));
  if (chdir("/") < 0) return std::unexpected(ErrnoError("chdir / in the rootfs"));
  TRY(RaiseFileLimit());
  TRY_CTX(DropCapabilities(), "dropping capabilities");
  TRY_CTX(InstallSeccomp(), "installing the seccomp filter");
  return trees;
}

Result<int> RunGofer(const GoferOptions& options) {
  if (options.socket_fd < 0) return std::unexpected(MakeError("gofer: no socket fd"));
  auto trees = TRY_CTX(Confine(options), "gofer");
  Server server(std::move(trees.root), options.read_only, std::move(trees.mounts));
  TRY(server.Serve(options.socket_fd));
  return 0;
}

}  // namespace cocoon::gofer
