// Spec validation with runc's rules. Each check is a small function over one
// section of the spec; the first failure is returned, naming its JSON path.
#include "oci/validate.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <set>

namespace cocoon::oci {
namespace {

// Namespace types and the /proc/self/ns file that shows the kernel has them.
struct NamespaceKind {
  std::string_view type;
  std::string_view proc_name;
};
constexpr std::array<NamespaceKind, 8> kNamespaceKinds{{
    {"pid", "pid"},
    {"network", "net"},
    {"mount", "mnt"},
    {"ipc", "ipc"},
    {"uts", "uts"},
    {"user", "user"},
    {"cgroup", "cgroup"},
    {"time", "time"},
}};

// Sysctls that a new IPC namespace isolates (as runc's validator lists them).
constexpr std::array<std::string_view, 8> kIpcSysctls{
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
constexpr std::array<std::string_view, 2> kUtsSysctls{"kernel.hostname", "kernel.domainname"};

constexpr std::array<std::string_view, 9> kRootfsPropagations{
    "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", ""};
constexpr std::array<std::string_view, 4> kDeviceTypes{"c", "b", "u", "p"};
constexpr std::array<std::string_view, 4> kCgroupDeviceTypes{"", "a", "c", "b"};
constexpr std::array<std::string_view, 2> kPersonalityDomains{"LINUX", "LINUX32"};
constexpr std::array<std::string_view, 2> kTimeOffsetClocks{"monotonic", "boottime"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& table, std::string_view value) {
  for (auto entry : table)
    if (entry == value) return true;
  return false;
}

std::unexpected<Error> Fail(std::string_view field, std::string_view message) {
  return std::unexpected(Errorf("{}: {}", field, message));
}

bool IsAbsolute(std::string_view path) { return !path.empty() && path.front() == '/'; }

Result<> CheckAbsolute(std::string_view field, std::string_view path) {
  if (path.empty()) return Fail(field, "missing");
  if (!IsAbsolute(path))
    return Fail(field, fmt::format("must be an absolute path, got \"{}\"", path));
  return {};
}

bool HasDotDot(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// A namespace entry of `type` that creates a new namespace (no path).
bool HasNewNamespace(const Spec& spec, const std::string& type) {
  const Namespace* ns = spec.FindNamespace(type);
  return ns && ns->path.empty();
}

Result<> CheckRoot(const Spec& spec, const std::string& bundle_dir) {
  if (!spec.root) return Fail("root", "missing");
  if (spec.root->path.empty()) return Fail("root.path", "missing");
  std::string rootfs = RootfsPath(spec, bundle_dir);
  struct stat st;
  if (::stat(rootfs.c_str(), &st) < 0)
    return std::unexpected(ErrnoError(fmt::format("root.path: rootfs {}", rootfs)));
  if (!S_ISDIR(st.st_mode))
    return Fail("root.path", fmt::format("rootfs {} is not a directory", rootfs));
  return {};
}

Result<> CheckProcess(const Spec& spec) {
  if (!spec.process) return Fail("process", "missing (a container needs a process to run)");
  if (spec.process->args.empty()) return Fail("process.args", "must not be empty");
  if (spec.process->args.front().empty()) return Fail("process.args[0]", "must not be empty");
  return CheckAbsolute("process.cwd", spec.process->cwd);
}

Result<> CheckNamespaces(const Linux& linux) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < linux.namespaces.size(); ++i) {
    const Namespace& ns = linux.namespaces[i];
    std::string field = fmt::format("linux.namespaces[{}]", i);
    const NamespaceKind* kind = nullptr;
    for (const auto& k : kNamespaceKinds)
      if (k.type == ns.type) kind = &k;
    if (!kind) return Fail(field + ".type", fmt::format("unknown namespace type \"{}\"", ns.type));
    if (!seen.insert(kind->type).second)
      return Fail(field + ".type", fmt::format("duplicate namespace type \"{}\"", ns.type));
    if (!ns.path.empty()) TRY(CheckAbsolute(field + ".path", ns.path));
    std::string proc_file = fmt::format("/proc/self/ns/{}", kind->proc_name);
    if (::access(proc_file.c_str(), F_OK) < 0 && errno == ENOENT)
      return Fail(field + ".type",
                  fmt::format("the kernel does not support {} namespaces ({} is missing)", ns.type,
                              proc_file));
  }
  return {};
}

Result<> CheckMappings(std::string_view field, const std::vector<IdMapping>& mappings) {
  for (size_t i = 0; i < mappings.size(); ++i)
    if (mappings[i].size == 0)
      return Fail(fmt::format("{}[{}].size", field, i), "must be greater than zero");
  return {};
}

Result<> CheckUserNamespace(const Spec& spec) {
  const Linux& linux = *spec.linux;
  TRY(CheckMappings("linux.uidMappings", linux.uid_mappings));
  TRY(CheckMappings("linux.gidMappings", linux.gid_mappings));
  bool has_mappings = !linux.uid_mappings.empty() || !linux.gid_mappings.empty();
  if (has_mappings && !spec.FindNamespace("user"))
    return Fail(linux.uid_mappings.empty() ? "linux.gidMappings" : "linux.uidMappings",
                "id mappings need a user namespace in linux.namespaces");
  if (HasNewNamespace(spec, "user")) {
    if (linux.uid_mappings.empty())
      return Fail("linux.uidMappings", "required when creating a new user namespace");
    if (linux.gid_mappings.empty())
      return Fail("linux.gidMappings", "required when creating a new user namespace");
  }
  return {};
}

Result<> CheckMounts(const Spec& spec) {
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const Mount& m = spec.mounts[i];
    std::string field = fmt::format("mounts[{}]", i);
    TRY(CheckAbsolute(field + ".destination", m.destination));
    for (const auto* mappings : {&m.uid_mappings, &m.gid_mappings})
      for (size_t j = 0; j < mappings->size(); ++j)
        if ((*mappings)[j].size == 0)
          return Fail(fmt::format("{}.{}[{}].size", field,
                                  mappings == &m.uid_mappings ? "uidMappings" : "gidMappings", j),
                      "must be greater than zero");
  }
  return {};
}

// Hook phases in the order the runtime spec lists them.
struct HookPhase {
  std::string_view name;
  std::vector<Hook> Hooks::*hooks;
};
constexpr std::array<HookPhase, 6> kHookPhases{{
    {"prestart", &Hooks::prestart},
    {"createRuntime", &Hooks::create_runtime},
    {"createContainer", &Hooks::create_container},
    {"startContainer", &Hooks::start_container},
    {"poststart", &Hooks::poststart},
    {"poststop", &Hooks::poststop},
}};

Result<> CheckHooks(const Spec& spec) {
  if (!spec.hooks) return {};
  for (const auto& phase : kHookPhases) {
    const auto& hooks = (*spec.hooks).*phase.hooks;
    for (size_t i = 0; i < hooks.size(); ++i) {
      std::string field = fmt::format("hooks.{}[{}]", phase.name, i);
      TRY(CheckAbsolute(field + ".path", hooks[i].path));
      if (hooks[i].timeout && *hooks[i].timeout <= 0)
        return Fail(field + ".timeout",
                    fmt::format("must be greater than zero, got {}", *hooks[i].timeout));
    }
  }
  return {};
}

// As runc: setting the hostname or domainname needs a UTS namespace of the container.
Result<> CheckUtsNames(const Spec& spec) {
  if (!spec.hostname.empty() && !spec.FindNamespace("uts"))
    return Fail("hostname", "setting the hostname needs a uts namespace in linux.namespaces");
  if (!spec.domainname.empty() && !spec.FindNamespace("uts"))
    return Fail("domainname", "setting the domainname needs a uts namespace in linux.namespaces");
  return {};
}

Result<> CheckTimeOffsets(const Spec& spec) {
  const Linux& linux = *spec.linux;
  if (linux.time_offsets.empty()) return {};
  if (!HasNewNamespace(spec, "time"))
    return Fail("linux.timeOffsets", "time offsets need a new time namespace in linux.namespaces");
  for (const auto& [clock, offset] : linux.time_offsets) {
    std::string field = fmt::format("linux.timeOffsets[\"{}\"]", clock);
    if (!Contains(kTimeOffsetClocks, clock))
      return Fail(field, "unknown clock (expected monotonic or boottime)");
    if (offset.nanosecs >= 1'000'000'000)
      return Fail(field + ".nanosecs",
                  fmt::format("must be below 1000000000, got {}", offset.nanosecs));
  }
  return {};
}

// Which namespace isolates a sysctl, or "" when none does (runc's rules).
std::string_view SysctlNamespace(std::string_view name) {
  if (Contains(kIpcSysctls, name) || name.starts_with("fs.mqueue.")) return "ipc";
  if (name.starts_with("net.")) return "network";
  if (Contains(kUtsSysctls, name)) return "uts";
  return "";
}

Result<> CheckSysctls(const Spec& spec) {
  for (const auto& [name, value] : spec.linux->sysctl) {
    std::string field = fmt::format("linux.sysctl[\"{}\"]", name);
    std::string_view ns = SysctlNamespace(name);
    if (ns.empty()) return Fail(field, "sysctl is not in a separate kernel namespace");
    if (!HasNewNamespace(spec, std::string(ns)))
      return Fail(field, fmt::format("sysctl needs a new {} namespace in linux.namespaces", ns));
  }
  return {};
}

Result<> CheckDevices(const Linux& linux) {
  for (size_t i = 0; i < linux.devices.size(); ++i) {
    const Device& d = linux.devices[i];
    std::string field = fmt::format("linux.devices[{}]", i);
    if (!Contains(kDeviceTypes, d.type))
      return Fail(field + ".type",
                  fmt::format("unknown device type \"{}\" (expected c, b, u or p)", d.type));
    if (!d.path.starts_with("/dev/") || d.path.size() == 5 || HasDotDot(d.path))
      return Fail(field + ".path", fmt::format("must be a path under /dev/, got \"{}\"", d.path));
  }
  return {};
}

Result<> CheckDeviceRules(const Linux& linux) {
  if (!linux.resources) return {};
  const auto& rules = linux.resources->devices;
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string field = fmt::format("linux.resources.devices[{}]", i);
    if (!Contains(kCgroupDeviceTypes, rules[i].type))
      return Fail(field + ".type",
                  fmt::format("unknown device type \"{}\" (expected a, c or b)", rules[i].type));
    if (rules[i].access.find_first_not_of("rwm") != std::string::npos)
      return Fail(field + ".access",
                  fmt::format("\"{}\" may only contain r, w and m", rules[i].access));
  }
  return {};
}

Result<> CheckLinuxMisc(const Spec& spec) {
  const Linux& linux = *spec.linux;
  if (!Contains(kRootfsPropagations, linux.rootfs_propagation))
    return Fail("linux.rootfsPropagation",
                fmt::format("unknown propagation \"{}\"", linux.rootfs_propagation));
  if (linux.personality && !Contains(kPersonalityDomains, linux.personality->domain))
    return Fail("linux.personality.domain",
                fmt::format("unknown domain \"{}\" (expected LINUX or LINUX32)",
                            linux.personality->domain));
  // As runc: masking paths changes mounts, which needs the container's own mount table.
  if ((!linux.masked_paths.empty() || !linux.readonly_paths.empty()) &&
      !HasNewNamespace(spec, "mount"))
    return Fail(linux.masked_paths.empty() ? "linux.readonlyPaths" : "linux.maskedPaths",
                "needs a new mount namespace in linux.namespaces");
  for (const auto* paths : {&linux.masked_paths, &linux.readonly_paths})
    for (size_t i = 0; i < paths->size(); ++i)
      TRY(CheckAbsolute(
          fmt::format("linux.{}[{}]",
                      paths == &linux.masked_paths ? "maskedPaths" : "readonlyPaths", i),
          (*paths)[i]));
  return {};
}

Result<> CheckLinux(const Spec& spec) {
  if (!spec.linux) {
    // Without a linux section nothing is isolated: only the host-level checks apply.
    if (!spec.hostname.empty() || !spec.domainname.empty()) TRY(CheckUtsNames(spec));
    return {};
  }
  TRY(CheckNamespaces(*spec.linux));
  TRY(CheckUserNamespace(spec));
  TRY(CheckUtsNames(spec));
  TRY(CheckTimeOffsets(spec));
  TRY(CheckSysctls(spec));
  TRY(CheckDevices(*spec.linux));
  TRY(CheckDeviceRules(*spec.linux));
  return CheckLinuxMisc(spec);
}

}  // namespace

bool IsKnownNamespaceType(std::string_view type) {
  for (const auto& kind : kNamespaceKinds)
    if (kind.type == type) return true;
  return false;
}

std::string RootfsPath(const Spec& spec, const std::string& bundle_dir) {
  std::string path = spec.root ? spec.root->path : "";
  if (IsAbsolute(path)) return path;
  return bundle_dir + "/" + path;
}

Result<> ValidateSpec(const Spec& spec, const std::string& bundle_dir) {
  if (spec.oci_version.empty()) return Fail("ociVersion", "missing");
  TRY(CheckRoot(spec, bundle_dir));
  TRY(CheckProcess(spec));
  TRY(CheckMounts(spec));
  TRY(CheckHooks(spec));
  return CheckLinux(spec);
}

}  // namespace cocoon::oci
