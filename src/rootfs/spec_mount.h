// One entry of the spec's "mounts" made inside the container root: bind and rbind, proc,
// sysfs, tmpfs, devpts, mqueue, cgroup, and any other file system type passed to mount(2).
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/spec.h"
#include "rootfs/mount_options.h"
#include "rootfs/rootfs.h"

namespace cocoon::rootfs {

struct MountContext {
  int root_fd = -1;                    // O_PATH fd of the rootfs, itself a mount point
  std::string rootfs;                  // its host path, without symlinks
  const RootfsOptions* opts = nullptr;
  // Without namespaces of their own, a user namespace binds the host's /sys and /dev/mqueue.
  bool new_net_namespace = false;
  bool new_ipc_namespace = false;
};

// A bind mount is type "bind" or any type with a "bind"/"rbind" option, as runc reads it.
bool IsBindMount(const oci::Mount& mount);

// "/a//b/" -> "/a/b": container paths compared the way the spec means them.
std::string CleanPath(std::string_view path);

Result<> MountSpecEntry(const oci::Mount& mount, const MountContext& ctx);

// Bind-mounts the host path `source` on the container path `dest` (created as a file or a
// directory to match the source), then applies the flags of `options` with a bind remount
// and its propagation. Shared with the cgroup code.
Result<> BindMount(const std::string& source, std::string_view dest, const MountOptions& options,
                   const MountContext& ctx);

}  // namespace cocoon::rootfs
