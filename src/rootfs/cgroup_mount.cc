// cgroup mounts for cgroup v1, hybrid and v2 hosts.
#include "rootfs/cgroup_mount.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "base/file.h"
#include "base/log.h"
#include "rootfs/mount_call.h"
#include "rootfs/safe_path.h"

namespace cocoon::rootfs {
namespace {

constexpr std::string_view kHostCgroupRoot = "/sys/fs/cgroup";
// What runc gives the tmpfs that holds the hierarchies and fresh v1 mounts.
constexpr unsigned long kCgroupMountFlags = MS_NOEXEC | MS_NOSUID | MS_NODEV;

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// The cgroup of `cgroups` whose controllers the v1 mount serves, or nullptr.
const ProcCgroup* OwnCgroupOf(const MountInfo& mount, const std::vector<ProcCgroup>& cgroups) {
  std::vector<std::string> options = SplitComma(mount.super_options);
  for (const ProcCgroup& cg : cgroups) {
    if (cg.hierarchy == 0) continue;
    for (const std::string& controller : cg.controllers) {
      if (std::find(options.begin(), options.end(), controller) != options.end()) return &cg;
    }
  }
  return nullptr;
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

Result<bool> HostIsCgroupV2() {
  struct statfs st;
  if (::statfs(std::string(kHostCgroupRoot).c_str(), &st) < 0)
    return std::unexpected(ErrnoError(fmt::format("statfs {}", kHostCgroupRoot)));
  return st.f_type == CGROUP2_SUPER_MAGIC;
}

Result<std::vector<ProcCgroup>> ReadOwnCgroups() {
  std::string text = TRY(ReadFile("/proc/self/cgroup"));
  return WithContext(ParseProcCgroup(text), "/proc/self/cgroup");
}

Result<> MountV1Hierarchy(const CgroupV1Mount& h, const MountOptions& options, const MountContext& ctx) {
  if (!ctx.opts->new_cgroup_namespace) {
    if (h.source.empty()) {
      log::Warn("cgroup hierarchy {}: the container's cgroup is not visible on the host, not mounted", h.dest);
      return {};
    }
    MountOptions bind = options;
    bind.flags |= MS_BIND | MS_REC;
    return BindMount(h.source, h.dest, bind, ctx);
  }
  // In a cgroup namespace a fresh mount shows the namespace's root: the container's cgroup.
  UniqueFd dir = TRY(MkdirAllInRoot(ctx.root_fd, h.dest));
  Target target{std::move(dir), h.dest};
  TRY(Mount("cgroup", target, "cgroup", kCgroupMountFlags | (options.flags & MS_RDONLY), h.subsystems));
  return {};
}

Result<> MountCgroupV1(const oci::Mount& m, const MountOptions& options, const MountContext& ctx) {
  UniqueFd dir = TRY(MkdirAllInRoot(ctx.root_fd, m.destination));
  Target tmpfs{std::move(dir), m.destination};
  TRY(Mount("tmpfs", tmpfs, "tmpfs", kCgroupMountFlags, WithMountLabel("mode=755", ctx.opts->mount_label)));

  std::vector<MountInfo> mounts = TRY(ReadMountInfo());
  // Copies inside the rootfs (an rbind of /sys) are not the host's hierarchies.
  std::erase_if(mounts, [&](const MountInfo& mi) {
    return mi.mount_point == ctx.rootfs || mi.mount_point.starts_with(ctx.rootfs + "/");
  });
  std::vector<ProcCgroup> cgroups = TRY(ReadOwnCgroups());
  MountOptions per_hierarchy = options;
  per_hierarchy.propagation = 0;
  for (const CgroupV1Mount& h : PlanCgroupV1(mounts, cgroups, m.destination)) {
    TRY(MountV1Hierarchy(h, per_hierarchy, ctx));
    for (const std::string& link : ComountLinks(BaseName(h.dest))) {
      std::string path = CleanPath(m.destination) + "/" + link;
      ParentDir parent = TRY(OpenParentInRoot(ctx.root_fd, path));
      std::string target = BaseName(h.dest);
      if (::symlinkat(target.c_str(), parent.fd.get(), parent.name.c_str()) < 0 && errno != EEXIST)
        return std::unexpected(ErrnoError(fmt::format("symlink {} -> {}", path, target)));
    }
  }
  Target mounted = TRY(OpenTarget(ctx.root_fd, m.destination));
  if (options.flags & MS_RDONLY) TRY(RemountBind(mounted, kCgroupMountFlags | MS_RDONLY));
  if (options.propagation) TRY(SetPropagation(mounted, options.propagation));
  return {};
}

Result<> MountCgroupV2(const oci::Mount& m, const MountOptions& options, const MountContext& ctx) {
  UniqueFd dir = TRY(MkdirAllInRoot(ctx.root_fd, m.destination));
  Target target{std::move(dir), m.destination};
  auto mounted = Mount("cgroup2", target, "cgroup2", options.flags, options.Data());
  if (mounted) {
    if (!options.propagation) return {};
    Target again = TRY(OpenTarget(ctx.root_fd, m.destination));
    return SetPropagation(again, options.propagation);
  }
  if (mounted.error().code() != EPERM && mounted.error().code() != EBUSY) return mounted;
  // A user namespace without a cgroup namespace may not mount cgroup2: bind the container's
  // own cgroup instead, which is what a cgroup namespace would have shown.
  std::vector<ProcCgroup> cgroups = TRY(ReadOwnCgroups());
  auto unified = std::find_if(cgroups.begin(), cgroups.end(), [](const ProcCgroup& c) { return c.hierarchy == 0; });
  std::string source(kHostCgroupRoot);
  if (unified != cgroups.end()) source += CleanPath(unified->path) == "/" ? "" : CleanPath(unified->path);
  MountOptions bind = options;
  bind.flags |= MS_BIND | MS_REC;
  return BindMount(source, m.destination, bind, ctx);
}

}  // namespace

Result<std::vector<ProcCgroup>> ParseProcCgroup(std::string_view text) {
  std::vector<ProcCgroup> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    ProcCgroup cg;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + first, cg.hierarchy);
    if (second == std::string_view::npos || ec != std::errc() || ptr != line.data() + first)
      return std::unexpected(Errorf("malformed cgroup line \"{}\"", line));
    cg.controllers = SplitComma(line.substr(first + 1, second - first - 1));
    cg.path = line.substr(second + 1);
    out.push_back(std::move(cg));
  }
  return out;
}

std::vector<CgroupV1Mount> PlanCgroupV1(const std::vector<MountInfo>& mounts,
                                        const std::vector<ProcCgroup>& cgroups, std::string_view dest) {
  std::vector<CgroupV1Mount> out;
  for (const MountInfo& mount : mounts) {
    if (mount.fs_type != "cgroup") continue;
    const ProcCgroup* own = OwnCgroupOf(mount, cgroups);
    if (!own) continue;
    std::string subsystems = Joined(own->controllers);
    // A hierarchy mounted twice is mounted once, from its first (oldest) mount.
    if (std::any_of(out.begin(), out.end(), [&](const CgroupV1Mount& p) { return p.subsystems == subsystems; }))
      continue;
    std::string root = CleanPath(mount.root), path = CleanPath(own->path);
    // In a cgroup namespace the mount root can be "/../.." (above the namespace's root):
    // no host directory shows the cgroup then, and only a fresh mount can.
    std::string source;
    if (root == "/") {
      source = mount.mount_point + (path == "/" ? "" : path);
    } else if (path == root || path.starts_with(root + "/")) {
      source = mount.mount_point + path.substr(root.size());
    }
    out.push_back(CgroupV1Mount{std::move(source), CleanPath(dest) + "/" + BaseName(mount.mount_point),
                                std::move(subsystems)});
  }
  return out;
}

std::vector<std::string> ComountLinks(std::string_view hierarchy_dir) {
  if (hierarchy_dir.find(',') == std::string_view::npos) return {};
  return SplitComma(hierarchy_dir);
}

Result<> MountCgroup(const oci::Mount& mount, const MountOptions& options, const MountContext& ctx) {
  bool v2 = TRY(HostIsCgroupV2());
  return v2 ? MountCgroupV2(mount, options, ctx) : MountCgroupV1(mount, options, ctx);
}

}  // namespace cocoon::rootfs
