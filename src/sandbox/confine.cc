// Empty root, no fds, no capabilities, a seccomp allow-list.
#include "sandbox/confine.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "linux/capabilities.h"
#include "sandbox/allowlist.h"

namespace cocoon::sandbox {
namespace {

// Any directory will do as the mount point of the new root: our mount
// namespace is private, so the host never sees the tmpfs.
constexpr const char* kNewRoot = "/tmp";

Result<> Check(int rc, std::string_view what) {
  if (rc < 0) return std::unexpected(ErrnoError(what));
  return {};
}

}  // namespace

Result<> EnterEmptyRoot() {
  TRY(Check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "making mounts private"));
  TRY(Check(::mount("cocoon-sandbox", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16k,mode=0555"),
            "mounting the sandbox's empty root"));
  std::string old_root = std::string(kNewRoot) + "/old";
  TRY(Check(::mkdir(old_root.c_str(), 0), "mkdir old root"));
  TRY(Check(static_cast<int>(::syscall(SYS_pivot_root, kNewRoot, old_root.c_str())), "pivot_root into the empty root"));
  TRY(Check(::chdir("/"), "chdir /"));
  TRY(Check(::umount2("/old", MNT_DETACH), "unmounting the host's root"));
  TRY(Check(::rmdir("/old"), "rmdir old root"));
  TRY(Check(::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr),
            "making the sandbox's root read-only"));
  return {};
}

void CloseOtherFds(std::span<const int> keep) {
  std::vector<int> kept(keep.begin(), keep.end());
  kept.push_back(2);
  std::sort(kept.begin(), kept.end());
  int next = 3;
  for (int fd : kept) {
    if (fd < next) continue;
    if (fd > next) ::syscall(SYS_close_range, next, fd - 1, 0);
    next = fd + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0);
}

Result<> DropAllCapabilities() {
  TRY_CTX(linux::ApplyCapabilities(linux::CapabilityMasks{}), "sandbox");
  return {};
}

Result<> ConfineSandbox(std::span<const int> keep_fds, bool trap_syscalls) {
  // The bounding set first: dropping it reads /proc, which the empty root lacks,
  // and leaves the effective set that mounting needs.
  TRY_CTX(linux::DropBoundingSet(uint64_t{0}), "sandbox");
  TRY(EnterEmptyRoot());
  CloseOtherFds(keep_fds);
  TRY(DropAllCapabilities());
  return InstallSandboxFilter(trap_syscalls);
}

}  // namespace cocoon::sandbox
