// linux.maskedPaths and linux.readonlyPaths, applied inside the container's root.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace cocoon::rootfs {

// Hides `path`: a directory gets an empty read-only tmpfs, anything else /dev/null bound on
// it (reads return nothing). A missing path is not an error.
Result<> MaskPath(int root_fd, std::string_view path, const std::string& mount_label);

// Makes `path` (and everything mounted below it) a read-only, nosuid, nodev, noexec bind
// mount of itself. A missing path is not an error.
Result<> ReadonlyPath(int root_fd, std::string_view path);

// remount "/" read-only, keeping its other per-mount flags (nosuid, atime...).
Result<> RemountRootReadonly();

}  // namespace cocoon::rootfs
