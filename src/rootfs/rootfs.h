// The container's root file system: spec mounts, devices, pivot_root, masked and read-only
// paths. Called by the container init inside its new mount namespace, in three steps.
#pragma once

#include <string>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::rootfs {

struct RootfsOptions {
  std::string rootfs;                  // absolute host path of the container root
  std::string bundle;                  // absolute bundle path (relative bind sources are relative to it)
  bool no_pivot = false;               // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool in_user_namespace = false;      // mknod is not allowed: bind-mount host devices instead
  bool new_cgroup_namespace = false;   // cgroup mounts are fresh cgroup file systems, not binds
  std::string mount_label;             // SELinux context= for mounts; ignored without SELinux
};

// Step 1, inside the new mount namespace: sets propagation of "/" (linux.rootfsPropagation,
// default rslave), makes the rootfs a mount point, mounts every spec mount in order (each
// destination resolved inside the rootfs), then creates /dev nodes and links (skipped when
// /dev is a bind mount). Nothing outside the rootfs is changed, except propagation of "/".
Result<> PrepareRootfs(const oci::Spec& spec, const RootfsOptions& opts);

// Step 2: makes the rootfs "/" (pivot_root and a lazy unmount of the old root, or with
// no_pivot MS_MOVE + chroot) and changes directory to "/".
Result<> EnterRootfs(const RootfsOptions& opts);

// Step 3, inside the new root: applies linux.rootfsPropagation to "/", remounts a read-only
// /dev, then readonlyPaths, maskedPaths, and root.readonly.
Result<> FinalizeRootfs(const oci::Spec& spec);

// Bind-mounts the pty slave `slave_path` (a path in the new root, "/dev/pts/0") on
// /dev/console, creating that file if missing, as runc does for terminal: true. Call after
// EnterRootfs and before FinalizeRootfs when /dev is to become read-only.
Result<> MountConsole(const std::string& slave_path);

}  // namespace cocoon::rootfs
