// Masked and read-only paths.
#include "rootfs/protected_paths.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <optional>

#include "rootfs/mount_call.h"
#include "rootfs/mount_options.h"

namespace cocoon::rootfs {
namespace {

// The target, or an empty optional when nothing is at `path`.
Result<std::optional<Target>> OpenIfExists(int root_fd, std::string_view path) {
  auto target = OpenTarget(root_fd, path);
  if (target) return std::optional<Target>(std::move(*target));
  if (target.error().code() == ENOENT) return std::optional<Target>();
  return std::unexpected(target.error());
}

}  // namespace

Result<> MaskPath(int root_fd, std::string_view path, const std::string& mount_label) {
  std::optional<Target> target = TRY_CTX(OpenIfExists(root_fd, path), "masking");
  if (!target) return {};
  struct stat st;
  if (::fstat(target->fd.get(), &st) < 0) return std::unexpected(ErrnoError(fmt::format("stat {}", path)));
  if (S_ISDIR(st.st_mode))
    return WithContext(Mount("tmpfs", *target, "tmpfs", MS_RDONLY, WithMountLabel("", mount_label)), "masking");
  return WithContext(Mount("/dev/null", *target, "", MS_BIND, ""), "masking");
}

Result<> ReadonlyPath(int root_fd, std::string_view path) {
  std::optional<Target> target = TRY_CTX(OpenIfExists(root_fd, path), "read-only path");
  if (!target) return {};
  TRY_CTX(Mount(target->KernelPath(), *target, "", MS_BIND | MS_REC, ""), "read-only path");
  Target mounted = TRY(OpenTarget(root_fd, path));
  return WithContext(RemountBind(mounted, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), "read-only path");
}

Result<> RemountRootReadonly() {
  unsigned long current = TRY_CTX(CurrentMountFlags("/"), "read-only root");
  if (::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | current, nullptr) < 0)
    return std::unexpected(ErrnoError("remount / read-only"));
  return {};
}

}  // namespace cocoon::rootfs
