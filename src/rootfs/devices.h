// /dev inside the container: the default device nodes, linux.devices, and the standard links.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::rootfs {

struct DeviceNode {
  std::string path;       // container path, "/dev/null"
  mode_t type = 0;        // S_IFCHR, S_IFBLK or S_IFIFO
  uint32_t major = 0, minor = 0;
  mode_t mode = 0666;     // permission bits
  uid_t uid = 0;
  gid_t gid = 0;
};

// The spec's device type ("c", "u", "b", "p") as a file type for mknod(2).
Result<mode_t> DeviceFileType(std::string_view oci_type);

// The default devices (null, zero, full, random, urandom, tty) followed by linux.devices;
// a spec device replaces a default one at the same path.
Result<std::vector<DeviceNode>> DevicesFor(const oci::Spec& spec);

// Creates `dev` inside the root with mknod (an existing file is kept, as runc does), or
// bind-mounts the host's node at the same path when `bind_host_node` (user namespaces) or
// when mknod is refused.
Result<> CreateDevice(int root_fd, const DeviceNode& dev, bool bind_host_node);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr -> /proc/self/fd..., /dev/core -> /proc/kcore
// (only `with_core`), and /dev/ptmx replaced by a link to pts/ptmx.
Result<> CreateDevLinks(int root_fd, bool with_core);

}  // namespace cocoon::rootfs
