// What the host's cgroup file systems look like (v1, v2 or hybrid), read from
// /proc/self/mountinfo and /proc/self/cgroup, and where a container's cgroups go.
// Everything takes the file contents as input so tests can describe any host.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace cocoon::cgroup {

enum class Layout { kV1, kV2, kHybrid };
std::string_view LayoutName(Layout layout);  // "v1", "v2", "hybrid"
Result<Layout> ParseLayout(std::string_view name);

// One mounted cgroup hierarchy.
struct CgroupMount {
  std::string mount_point;  // /sys/fs/cgroup/cpu
  std::string root;         // the hierarchy path mounted there ("/" on a host)
  bool v2 = false;
  // v1 only: the controllers of this hierarchy ("cpu", "cpuacct", "name=systemd").
  std::vector<std::string> controllers;
};

struct HostInfo {
  std::vector<CgroupMount> mounts;
  // This process's cgroup per controller, from /proc/self/cgroup; key "" is v2.
  std::map<std::string, std::string> own;

  // The v1 mount holding `controller`, or nullptr.
  const CgroupMount* V1Mount(std::string_view controller) const;
  // The cgroup2 mount, or nullptr.
  const CgroupMount* V2Mount() const;
};

// Parses /proc/self/mountinfo text; keeps cgroup and cgroup2 mounts (the first
// mount of each hierarchy wins).
Result<std::vector<CgroupMount>> ParseMountInfo(std::string_view text);
// Parses /proc/self/cgroup text ("4:memory:/a", "0::/b").
std::map<std::string, std::string> ParseProcCgroup(std::string_view text);
// Reads both files of the calling process.
Result<HostInfo> ReadHostInfo();

// v1 when only v1 controllers are mounted, v2 when only cgroup2, hybrid when
// both (a v1 hierarchy with only a name= is not a controller).
Result<Layout> DetectLayout(const HostInfo& host);

// runc's CleanPath: lexically cleaned; a relative path can not climb above
// its base ("../../x" is "x").
std::string CleanPath(std::string_view path);
// The inner cgroup path runc uses: the cleaned cgroups_path, or the container
// id (relative) when cgroups_path is empty.
std::string InnerPath(const std::string& cgroups_path, const std::string& container_id);

// controller -> directory for every mounted v1 hierarchy. Absolute inner paths
// sit under each mount point; relative ones under this process's own cgroup
// of that controller (as runc's fs manager does).
Result<std::map<std::string, std::string>> ResolveV1Paths(const HostInfo& host,
                                                          const std::string& inner);
// The v2 directory: absolute under the mount point; relative under the parent
// of this process's own cgroup (its own one usually holds processes, which
// would forbid enabling controllers below it), as runc's fs2 does.
Result<std::string> ResolveV2Path(const HostInfo& host, const std::string& inner);

}  // namespace cocoon::cgroup
