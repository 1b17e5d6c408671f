// mount(2) wrappers.
#include "rootfs/mount_call.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "rootfs/mount_options.h"
#include "rootfs/safe_path.h"

namespace cocoon::rootfs {
namespace {

// Per-mount flags a bind remount may only keep, never drop, once they are locked.
constexpr unsigned long kLockableFlags =
    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME;

}  // namespace

std::string Target::KernelPath() const {
  std::string proc_path = FdPath(fd.get());
  if (::access("/proc/self/fd", F_OK) == 0) return proc_path;
  return path;
}

Result<Target> OpenTarget(int root_fd, std::string_view path) {
  UniqueFd fd = TRY(OpenInRoot(root_fd, path, O_PATH));
  return Target{std::move(fd), std::string(path)};
}

Result<> Mount(const std::string& source, const Target& target, const std::string& type,
               unsigned long flags, const std::string& data) {
  std::string kernel_path = target.KernelPath();
  if (::mount(source.empty() ? nullptr : source.c_str(), kernel_path.c_str(),
              type.empty() ? nullptr : type.c_str(), flags, data.empty() ? nullptr : data.c_str()) < 0)
    return std::unexpected(ErrnoError(fmt::format("mount {} ({}, flags {:#x}, \"{}\") on {}", source, type,
                                                  flags, data, target.path)));
  return {};
}

Result<> SetPropagation(const Target& target, unsigned long propagation) {
  std::string kernel_path = target.KernelPath();
  if (::mount(nullptr, kernel_path.c_str(), nullptr, propagation, nullptr) < 0)
    return std::unexpected(ErrnoError(fmt::format("setting propagation {:#x} on {}", propagation, target.path)));
  return {};
}

Result<> RemountBind(const Target& target, unsigned long flags, unsigned long cleared) {
  std::string kernel_path = target.KernelPath();
  flags = (flags & ~MS_REC) | MS_REMOUNT | MS_BIND;
  if (::mount(nullptr, kernel_path.c_str(), nullptr, flags, nullptr) == 0) return {};
  if (errno == EPERM) {
    unsigned long current = TRY_CTX(CurrentMountFlags(kernel_path), fmt::format("remount {}", target.path));
    flags |= current & kLockableFlags & ~cleared;
    if (::mount(nullptr, kernel_path.c_str(), nullptr, flags, nullptr) == 0) return {};
  }
  return std::unexpected(ErrnoError(fmt::format("remount {} with flags {:#x}", target.path, flags)));
}

std::string WithMountLabel(std::string data, const std::string& label) {
  if (label.empty() || ::access("/sys/fs/selinux/enforce", F_OK) != 0) return data;
  if (!data.empty()) data += ',';
  return data + fmt::format("context=\"{}\"", label);
}

}  // namespace cocoon::rootfs
