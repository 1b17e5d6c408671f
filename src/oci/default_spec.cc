// runc's example spec, written out as data in the order runc prints it.
#include "oci/default_spec.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "oci/state.h"

namespace cocoon::oci {
namespace {

using OJson = nlohmann::ordered_json;

// Capabilities of runc's example process, the same in all five sets but inheritable.
const std::vector<std::string> kDefaultCaps{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

const std::vector<std::string> kMaskedPaths{
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi"};

const std::vector<std::string> kReadonlyPaths{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                              "/proc/sysrq-trigger"};

OJson MountEntry(const char* destination, const char* type, const char* source,
                 std::vector<std::string> options = {}) {
  OJson mount{{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.empty()) mount["options"] = std::move(options);
  return mount;
}

OJson Process() {
  return {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", {"sh"}},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
      {"cwd", "/"},
      {"capabilities",
       {{"bounding", kDefaultCaps},
        {"effective", kDefaultCaps},
        {"permitted", kDefaultCaps},
        {"ambient", kDefaultCaps}}},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
      {"noNewPrivileges", true},
  };
}

OJson Mounts(bool rootless) {
  // A rootless container cannot mount a new sysfs (it owns no network
  // namespace) nor pick devpts' group, so it binds /sys and drops gid=5.
  std::vector<std::string> devpts_options{"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                          "mode=0620"};
  if (!rootless) devpts_options.push_back("gid=5");
  OJson sys = rootless
                  ? MountEntry("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
                  : MountEntry("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"});
  return OJson::array({
      MountEntry("/proc", "proc", "proc"),
      MountEntry("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      MountEntry("/dev/pts", "devpts", "devpts", devpts_options),
      MountEntry("/dev/shm", "tmpfs", "shm",
                 {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      MountEntry("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      sys,
      MountEntry("/sys/fs/cgroup", "cgroup", "cgroup",
                 {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  });
}

OJson IdMapping(unsigned host_id) {
  return OJson::array({{{"containerID", 0}, {"hostID", host_id}, {"size", 1}}});
}

OJson Linux(bool rootless) {
  OJson linux = OJson::object();
  std::vector<std::string> namespaces{"pid", "network", "ipc", "uts", "mount"};
  if (rootless) {
    linux["uidMappings"] = IdMapping(::geteuid());
    linux["gidMappings"] = IdMapping(::getegid());
    namespaces = {"pid", "ipc", "uts", "mount", "user"};
  } else {
    linux["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  }
  linux["namespaces"] = OJson::array();
  for (const auto& type : namespaces) linux["namespaces"].push_back({{"type", type}});
  linux["maskedPaths"] = kMaskedPaths;
  linux["readonlyPaths"] = kReadonlyPaths;
  return linux;
}

}  // namespace

nlohmann::ordered_json DefaultSpec(bool rootless) {
  return {
      {"ociVersion", kOciVersion},
      {"process", Process()},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "runc"},
      {"mounts", Mounts(rootless)},
      {"linux", Linux(rootless)},
  };
}

}  // namespace cocoon::oci
