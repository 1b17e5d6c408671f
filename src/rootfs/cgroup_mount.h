// The spec's "cgroup" mount: on cgroup v1 and hybrid hosts a tmpfs holding one mount per
// hierarchy (binds of the container's own cgroups, or fresh mounts in a cgroup namespace),
// as runc does; on cgroup v2 a cgroup2 mount.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"
#include "rootfs/mount_options.h"
#include "rootfs/mountinfo.h"
#include "rootfs/spec_mount.h"

namespace cocoon::rootfs {

// One line of /proc/<pid>/cgroup: "4:memory:/user.slice", "0::/" (v2), "1:name=systemd:/".
struct ProcCgroup {
  int hierarchy = 0;
  std::vector<std::string> controllers;
  std::string path;
};
Result<std::vector<ProcCgroup>> ParseProcCgroup(std::string_view text);

// One v1 hierarchy as the container sees it.
struct CgroupV1Mount {
  std::string source;      // the host directory of the container's own cgroup in this hierarchy;
                           // empty when the mount does not show it (its root is below that cgroup)
  std::string dest;        // <cgroup mount destination>/<base name of the host mount point>
  std::string subsystems;  // its cgroup mount options ("cpu,cpuacct", "name=systemd")
};

// Plans the per-hierarchy mounts for a v1 cgroup mount at `dest` from the host's mounts of
// type "cgroup" (v2 mounts of a hybrid host are left out, as runc does) and the process's
// cgroups.
std::vector<CgroupV1Mount> PlanCgroupV1(const std::vector<MountInfo>& mounts,
                                        const std::vector<ProcCgroup>& cgroups, std::string_view dest);

// The names a co-mounted hierarchy gets symlinks under: "cpu,cpuacct" -> {"cpu", "cpuacct"}.
std::vector<std::string> ComountLinks(std::string_view hierarchy_dir);

Result<> MountCgroup(const oci::Mount& mount, const MountOptions& options, const MountContext& ctx);

}  // namespace cocoon::rootfs
