// mount(2) on a target opened safely inside the container root, with errors that name the
// container path rather than /proc/self/fd/N.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::rootfs {

// A mount point: an O_PATH fd resolved inside the root, and the container path for messages.
// The fd refers to whatever was at the path when it was opened: after mounting on it, open
// the target again to reach the new mount (for remounts and propagation changes).
struct Target {
  UniqueFd fd;
  std::string path;

  // What to hand to mount(2): /proc/self/fd/N, or the plain path when /proc is not mounted
  // (only after pivot_root, when every path is inside the container anyway).
  std::string KernelPath() const;
};

// Opens the existing `path` inside the root as a Target.
Result<Target> OpenTarget(int root_fd, std::string_view path);

Result<> Mount(const std::string& source, const Target& target, const std::string& type,
               unsigned long flags, const std::string& data);

// MS_SHARED/MS_SLAVE/... on its own, as the kernel wants propagation changes.
Result<> SetPropagation(const Target& target, unsigned long propagation);

// Changes the per-mount flags of a bind mount (MS_REMOUNT|MS_BIND). Flags the kernel has
// locked on the mount (user namespaces) are kept on retry unless the caller `cleared` them.
Result<> RemountBind(const Target& target, unsigned long flags, unsigned long cleared = 0);

// `data` with an SELinux context="<label>" option added, when a label is given and the host
// runs SELinux; `data` unchanged otherwise (labels mean nothing without SELinux).
std::string WithMountLabel(std::string data, const std::string& label);

}  // namespace cocoon::rootfs
