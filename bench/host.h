// What the benchmark needs to know about (and clean up on) this host: the
// cgroup layout, the cgroups the runtimes made for us, the temp directory.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace cocoon::bench {

struct CgroupLayout {
  std::string kind;  // "unified", "hybrid" or "legacy"
  // Every cgroup (v1 or v2) mount point under /sys/fs/cgroup, and the root.
  std::vector<std::string> hierarchies;
  // On a hybrid host, the v2 mounts under a v1 layout (/sys/fs/cgroup/unified):
  // crun 1.8.1 refuses to run while it can see them.
  std::vector<std::string> hybrid_v2_mounts;
};

// Parses mountinfo text (as in /proc/self/mountinfo).
CgroupLayout ParseCgroupLayout(const std::string& mountinfo);
Result<CgroupLayout> DetectCgroupLayout();

// Moves the calling process into a new mount namespace with / made rslave
// (host mounts still propagate in, nothing propagates out) and `unmount`
// detached there. Its children inherit it; the host is not changed.
Result<> EnterPrivateMountNs(const std::vector<std::string>& unmount);

// Removes `relative` (e.g. "/cocoon-bench-123") and the directories below it
// from every hierarchy mounted here, deepest first. Returns one error per
// directory that could not be removed; missing directories are not errors.
std::vector<Error> RemoveCgroupTree(const CgroupLayout& layout, const std::string& relative);

// A runtime that cannot see the hybrid cgroup2 mount (crun 1.8.1 in our
// private mount ns) still writes its "unified" cgroup as plain directories
// and files into the /sys/fs/cgroup tmpfs under that mount point, where the
// host's mount hides them. Removes `relative` there, from a child process in
// a private mount ns with the mount detached, and only where it is tmpfs.
std::vector<Error> RemoveShadowedCgroupDirs(const CgroupLayout& layout,
                                            const std::string& relative);

// rm -rf; refuses an empty path and "/".
Result<> RemoveTree(const std::string& path);

// An executable's absolute path: `name` itself if it has a slash, else the
// first match on $PATH (plus the sbin directories, where Debian puts runc).
Result<std::string> FindExecutable(const std::string& name);

}  // namespace cocoon::bench
