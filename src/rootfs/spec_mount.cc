// Spec mounts, one handler per file system type.
#include "rootfs/spec_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "rootfs/cgroup_mount.h"
#include "rootfs/copy_tree.h"
#include "rootfs/mount_call.h"
#include "rootfs/safe_path.h"

namespace cocoon::rootfs {
namespace {

// Flags that a plain MS_BIND ignores: anything else needs a bind remount to take effect.
constexpr unsigned long kBindOnlyFlags = MS_BIND | MS_REC | MS_REMOUNT;

Result<> ApplyPropagation(std::string_view dest, unsigned long propagation, const MountContext& ctx) {
  if (propagation == 0) return {};
  Target target = TRY(OpenTarget(ctx.root_fd, dest));  // again: now the new mount's root
  return SetPropagation(target, propagation);
}

// File systems that take no SELinux context= option (runc mounts them unlabeled).
constexpr std::array<std::string_view, 5> kUnlabeledTypes = {"proc", "sysfs", "mqueue", "cgroup", "cgroup2"};

bool Labeled(std::string_view type) {
  return std::find(kUnlabeledTypes.begin(), kUnlabeledTypes.end(), type) == kUnlabeledTypes.end();
}

// Mounts a file system (not a bind) on a directory, creating it if missing.
Result<> MountFileSystem(const oci::Mount& m, const MountOptions& o, const MountContext& ctx) {
  UniqueFd dir = TRY(MkdirAllInRoot(ctx.root_fd, m.destination));
  Target target{std::move(dir), m.destination};
  std::string source = m.source.empty() ? m.type : m.source;
  std::string data = o.Data();
  if (Labeled(m.type)) data = WithMountLabel(std::move(data), ctx.opts->mount_label);
  TRY(Mount(source, target, m.type, o.flags, data));
  return ApplyPropagation(m.destination, o.propagation, ctx);
}

Result<> MountBindEntry(const oci::Mount& m, const MountOptions& o, const MountContext& ctx) {
  std::string source = m.source;
  if (!source.starts_with('/')) source = ctx.opts->bundle + "/" + source;
  return BindMount(source, m.destination, o, ctx);
}

Result<> MountTmpfs(const oci::Mount& m, const MountOptions& o, const MountContext& ctx) {
  if (!o.tmpcopyup) return MountFileSystem(m, o, ctx);
  // The directory fd opened before the mount keeps pointing at what the image had there.
  TRY(MkdirAllInRoot(ctx.root_fd, m.destination));
  UniqueFd old_dir = TRY(OpenInRoot(ctx.root_fd, m.destination, O_RDONLY | O_DIRECTORY));
  MountOptions writable = o;
  writable.flags &= ~MS_RDONLY;
  writable.propagation = 0;
  TRY(MountFileSystem(m, writable, ctx));
  UniqueFd new_dir = TRY(OpenInRoot(ctx.root_fd, m.destination, O_RDONLY | O_DIRECTORY));
  TRY_CTX(CopyTree(old_dir.get(), new_dir.get()), fmt::format("tmpcopyup of {}", m.destination));
  if (o.flags & MS_RDONLY) {
    Target target = TRY(OpenTarget(ctx.root_fd, m.destination));
    TRY(Mount("", target, "", o.flags | MS_REMOUNT, WithMountLabel(o.Data(), ctx.opts->mount_label)));
  }
  return ApplyPropagation(m.destination, o.propagation, ctx);
}

// File systems a user namespace may only mount with a namespace of its own: runc binds the
// host's instance instead (read-only if asked), and so do we.
struct HostFallback {
  std::string_view type;
  std::string_view host_path;
  bool MountContext::*own_namespace;
};

constexpr std::array kHostFallbacks = {
    HostFallback{"sysfs", "/sys", &MountContext::new_net_namespace},
    HostFallback{"mqueue", "/dev/mqueue", &MountContext::new_ipc_namespace},
};

Result<> MountOrBindHost(const oci::Mount& m, const MountOptions& o, const MountContext& ctx) {
  auto fallback = std::find_if(kHostFallbacks.begin(), kHostFallbacks.end(),
                               [&](const HostFallback& f) { return f.type == m.type; });
  if (fallback == kHostFallbacks.end()) return MountFileSystem(m, o, ctx);
  MountOptions bind = o;
  bind.flags |= MS_BIND | MS_REC;
  std::string host_path(fallback->host_path);
  if (ctx.opts->in_user_namespace && !(ctx.*fallback->own_namespace)) return BindMount(host_path, m.destination, bind, ctx);
  auto mounted = MountFileSystem(m, o, ctx);
  if (!mounted && mounted.error().code() == EPERM && ctx.opts->in_user_namespace)
    return BindMount(host_path, m.destination, bind, ctx);
  return mounted;
}

Result<> MountDevpts(const oci::Mount& m, const MountOptions& o, const MountContext& ctx) {
  // A private pts instance whose ptmx anyone may open: /dev/ptmx links to it.
  MountOptions with_defaults = o;
  auto has = [&](std::string_view prefix) {
    return std::any_of(o.data.begin(), o.data.end(), [&](const std::string& d) { return d.starts_with(prefix); });
  };
  if (!has("newinstance")) with_defaults.data.emplace_back("newinstance");
  if (!has("ptmxmode=")) with_defaults.data.emplace_back("ptmxmode=0666");
  return MountFileSystem(m, with_defaults, ctx);
}

using Handler = Result<> (*)(const oci::Mount&, const MountOptions&, const MountContext&);

struct TypeHandler {
  std::string_view type;
  Handler handler;
};

// File system types that need more than mount(2) on a directory; others use MountFileSystem.
constexpr std::array kTypeHandlers = {
    TypeHandler{"bind", MountBindEntry},   TypeHandler{"tmpfs", MountTmpfs},
    TypeHandler{"sysfs", MountOrBindHost}, TypeHandler{"mqueue", MountOrBindHost},
    TypeHandler{"devpts", MountDevpts},    TypeHandler{"cgroup", MountCgroup},
};

Handler HandlerFor(const oci::Mount& m) {
  if (IsBindMount(m)) return MountBindEntry;
  for (const TypeHandler& h : kTypeHandlers) {
    if (h.type == m.type) return h.handler;
  }
  return MountFileSystem;
}

}  // namespace

bool IsBindMount(const oci::Mount& mount) {
  if (mount.type == "bind") return true;
  return std::any_of(mount.options.begin(), mount.options.end(),
                     [](const std::string& o) { return o == "bind" || o == "rbind"; });
}

std::string CleanPath(std::string_view path) {
  std::string out;
  for (const std::string& part : SplitPath(path)) out += "/" + part;
  return out.empty() ? "/" : out;
}

Result<> BindMount(const std::string& source, std::string_view dest, const MountOptions& options,
                   const MountContext& ctx) {
  struct stat st;
  if (::stat(source.c_str(), &st) < 0) return std::unexpected(ErrnoError(fmt::format("bind source {}", source)));
  UniqueFd fd = S_ISDIR(st.st_mode) ? TRY(MkdirAllInRoot(ctx.root_fd, dest)) : TRY(MakeFileInRoot(ctx.root_fd, dest));
  Target target{std::move(fd), std::string(dest)};
  TRY(Mount(source, target, "", MS_BIND | (options.flags & MS_REC), ""));
  if (options.flags & ~kBindOnlyFlags) {
    Target mounted = TRY(OpenTarget(ctx.root_fd, dest));
    TRY(RemountBind(mounted, options.flags, options.cleared));
  }
  return ApplyPropagation(dest, options.propagation, ctx);
}

Result<> MountSpecEntry(const oci::Mount& mount, const MountContext& ctx) {
  if (!mount.destination.starts_with('/'))
    return std::unexpected(Errorf("mount destination \"{}\" is not absolute", mount.destination));
  if (!mount.uid_mappings.empty() || !mount.gid_mappings.empty())
    return std::unexpected(Errorf("mount {}: idmapped mounts are not supported", mount.destination));
  MountOptions options = ParseMountOptions(mount.options);
  // /dev stays writable until the device nodes exist; FinalizeRootfs makes it read-only.
  if (CleanPath(mount.destination) == "/dev" && !IsBindMount(mount)) options.flags &= ~MS_RDONLY;
  return WithContext(HandlerFor(mount)(mount, options, ctx),
                     fmt::format("mount {} on {}", mount.type.empty() ? "bind" : mount.type, mount.destination));
}

}  // namespace cocoon::rootfs
