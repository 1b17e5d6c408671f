// The three rootfs steps the container init runs.
#include "rootfs/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "base/unique_fd.h"
#include "rootfs/devices.h"
#include "rootfs/mount_call.h"
#include "rootfs/mountinfo.h"
#include "rootfs/protected_paths.h"
#include "rootfs/safe_path.h"
#include "rootfs/spec_mount.h"

namespace cocoon::rootfs {
namespace {

// Without linux.rootfsPropagation, nothing the container mounts reaches the host, while
// host mounts still show up in the container.
constexpr unsigned long kDefaultRootPropagation = MS_SLAVE | MS_REC;

Result<unsigned long> RootPropagation(const oci::Spec& spec) {
  if (!spec.linux || spec.linux->rootfs_propagation.empty()) return 0UL;
  return ParsePropagation(spec.linux->rootfs_propagation);
}

Result<std::string> RealRootfs(const RootfsOptions& opts) {
  if (!opts.rootfs.starts_with('/'))
    return std::unexpected(Errorf("rootfs \"{}\" is not an absolute path", opts.rootfs));
  char buf[PATH_MAX];
  if (!::realpath(opts.rootfs.c_str(), buf)) return std::unexpected(ErrnoError(fmt::format("rootfs {}", opts.rootfs)));
  return std::string(buf);
}

Result<UniqueFd> OpenDir(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(ErrnoError(fmt::format("opening {}", path)));
  return UniqueFd(fd);
}

Result<> MountOrFail(const char* source, const char* target, unsigned long flags, std::string_view what) {
  if (::mount(source, target, nullptr, flags, nullptr) < 0) return std::unexpected(ErrnoError(what));
  return {};
}

// pivot_root(2) fails when the mount holding the new root is shared (a "shared" rootfsPropagation).
Result<> MakeParentMountPrivate(const std::string& rootfs) {
  std::vector<MountInfo> mounts = TRY(ReadMountInfo());
  const MountInfo* parent = FindMountOf(mounts, rootfs);
  if (!parent || !parent->IsShared()) return {};
  return MountOrFail(nullptr, parent->mount_point.c_str(), MS_PRIVATE,
                     fmt::format("making {} private", parent->mount_point));
}

const oci::Mount* FindMount(const oci::Spec& spec, std::string_view dest) {
  auto it = std::find_if(spec.mounts.begin(), spec.mounts.end(),
                         [&](const oci::Mount& m) { return CleanPath(m.destination) == dest; });
  return it == spec.mounts.end() ? nullptr : &*it;
}

bool NewNamespace(const oci::Spec& spec, const std::string& type) {
  const oci::Namespace* ns = spec.FindNamespace(type);
  return ns && ns->path.empty();
}

Result<> SetupDev(const oci::Spec& spec, const RootfsOptions& opts, int root_fd) {
  // A bind-mounted /dev is the host's (or a prepared) /dev: runc leaves it alone.
  const oci::Mount* dev = FindMount(spec, "/dev");
  if (dev && IsBindMount(*dev)) return {};
  for (const DeviceNode& node : TRY(DevicesFor(spec))) TRY(CreateDevice(root_fd, node, opts.in_user_namespace));
  bool has_proc = std::any_of(spec.mounts.begin(), spec.mounts.end(), [](const oci::Mount& m) { return m.type == "proc"; });
  return CreateDevLinks(root_fd, has_proc);
}

Result<> PivotRoot(const std::string& rootfs) {
  UniqueFd old_root = TRY(OpenDir("/", O_RDONLY));
  UniqueFd new_root = TRY(OpenDir(rootfs, O_RDONLY));
  if (::fchdir(new_root.get()) < 0) return std::unexpected(ErrnoError(fmt::format("chdir {}", rootfs)));
  // pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." from the
  // old root's directory then removes it without needing a directory for it in the rootfs.
  if (::syscall(SYS_pivot_root, ".", ".") < 0) return std::unexpected(ErrnoError(fmt::format("pivot_root {}", rootfs)));
  if (::fchdir(old_root.get()) < 0) return std::unexpected(ErrnoError("chdir to the old root"));
  // rslave first, so the unmount does not propagate to the host's mounts.
  TRY(MountOrFail(nullptr, ".", MS_SLAVE | MS_REC, "making the old root rslave"));
  if (::umount2(".", MNT_DETACH) < 0) return std::unexpected(ErrnoError("unmounting the old root"));
  return {};
}

Result<> MoveRoot(const std::string& rootfs) {
  if (::chdir(rootfs.c_str()) < 0) return std::unexpected(ErrnoError(fmt::format("chdir {}", rootfs)));
  TRY(MountOrFail(rootfs.c_str(), "/", MS_MOVE, fmt::format("moving {} to /", rootfs)));
  if (::chroot(".") < 0) return std::unexpected(ErrnoError(fmt::format("chroot {}", rootfs)));
  return {};
}

}  // namespace

Result<> PrepareRootfs(const oci::Spec& spec, const RootfsOptions& opts) {
  std::string rootfs = TRY(RealRootfs(opts));
  unsigned long propagation = TRY(RootPropagation(spec));
  TRY(MountOrFail(nullptr, "/", propagation ? propagation : kDefaultRootPropagation, "setting propagation of /"));
  TRY(MakeParentMountPrivate(rootfs));
  // A mount point of its own: pivot_root needs one, and MS_REC keeps the image's own mounts.
  TRY(MountOrFail(rootfs.c_str(), rootfs.c_str(), MS_BIND | MS_REC, fmt::format("binding rootfs {}", rootfs)));
  UniqueFd root_fd = TRY(OpenDir(rootfs, O_PATH));

  MountContext ctx{root_fd.get(), rootfs, &opts, NewNamespace(spec, "network"), NewNamespace(spec, "ipc")};
  for (const oci::Mount& mount : spec.mounts) TRY(MountSpecEntry(mount, ctx));
  return SetupDev(spec, opts, root_fd.get());
}

Result<> EnterRootfs(const RootfsOptions& opts) {
  std::string rootfs = TRY(RealRootfs(opts));
  TRY(opts.no_pivot ? MoveRoot(rootfs) : PivotRoot(rootfs));
  if (::chdir("/") < 0) return std::unexpected(ErrnoError("chdir /"));
  return {};
}

Result<> FinalizeRootfs(const oci::Spec& spec) {
  // Applied only now: before pivot_root, "/" was the host's root mount (as a copy, but a
  // shared propagation would have tied it to the host).
  unsigned long propagation = TRY(RootPropagation(spec));
  if (propagation) TRY(MountOrFail(nullptr, "/", propagation, "setting rootfsPropagation of /"));

  UniqueFd root_fd = TRY(OpenDir("/", O_PATH));
  if (const oci::Mount* dev = FindMount(spec, "/dev"); dev && !IsBindMount(*dev)) {
    MountOptions options = ParseMountOptions(dev->options);
    if (options.flags & MS_RDONLY) {
      Target target = TRY(OpenTarget(root_fd.get(), "/dev"));
      TRY_CTX(RemountBind(target, options.flags, options.cleared), "read-only /dev");
    }
  }
  if (spec.linux) {
    for (const std::string& path : spec.linux->readonly_paths) TRY(ReadonlyPath(root_fd.get(), path));
    for (const std::string& path : spec.linux->masked_paths) TRY(MaskPath(root_fd.get(), path, spec.linux->mount_label));
  }
  if (spec.root && spec.root->readonly) TRY(RemountRootReadonly());
  return {};
}

Result<> MountConsole(const std::string& slave_path) {
  UniqueFd root_fd = TRY(OpenDir("/", O_PATH));
  UniqueFd console = TRY_CTX(MakeFileInRoot(root_fd.get(), "/dev/console", 0000), "console");
  Target target{std::move(console), "/dev/console"};
  return WithContext(Mount(slave_path, target, "", MS_BIND, ""), "console");
}

}  // namespace cocoon::rootfs
