// Builds the busybox root filesystem and per-container config.json files.
#include "bench/bundle.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <string_view>

#include "base/file.h"

namespace cocoon::bench {
namespace {

// Applets the benchmark runs; each is a symlink to bin/busybox.
constexpr std::array<std::string_view, 3> kApplets = {"true", "sleep", "sh"};
// Mount points that exist in the image, so runtimes need not create them.
constexpr std::array<std::string_view, 5> kRootDirs = {"bin", "proc", "sys", "dev", "tmp"};

constexpr std::array<std::string_view, 3> kCapabilities = {"CAP_AUDIT_WRITE", "CAP_KILL",
                                                           "CAP_NET_BIND_SERVICE"};
constexpr std::array<std::string_view, 4> kNamespaces = {"pid", "ipc", "uts", "mount"};
constexpr std::array<std::string_view, 10> kMaskedPaths = {
    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",       "/proc/scsi"};
constexpr std::array<std::string_view, 5> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq",
                                                            "/proc/sys", "/proc/sysrq-trigger"};

struct MountEntry {
  std::string_view destination, type, source;
  std::vector<std::string_view> options;
};

const std::vector<MountEntry>& DefaultMounts() {
  static const std::vector<MountEntry> mounts = {
      {"/proc", "proc", "proc", {}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
  return mounts;
}

template <typename Container>
nlohmann::json StringArray(const Container& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(std::string(item));
  return out;
}

nlohmann::json MakeProcess(const ContainerConfig& config) {
  nlohmann::json caps = StringArray(kCapabilities);
  return {
      {"terminal", false},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", config.args},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}},
      {"cwd", "/"},
      {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
      {"noNewPrivileges", true},
  };
}

nlohmann::json MakeMounts() {
  nlohmann::json mounts = nlohmann::json::array();
  for (const MountEntry& m : DefaultMounts()) {
    nlohmann::json entry = {{"destination", m.destination}, {"type", m.type}, {"source", m.source}};
    if (!m.options.empty()) entry["options"] = StringArray(m.options);
    mounts.push_back(std::move(entry));
  }
  return mounts;
}

nlohmann::json MakeLinux(const ContainerConfig& config) {
  nlohmann::json namespaces = nlohmann::json::array();
  for (std::string_view type : kNamespaces) namespaces.push_back({{"type", type}});
  return {
      {"cgroupsPath", config.cgroups_path},
      {"resources", {{"devices", {{{"allow", false}, {"access", "rwm"}}}}}},
      {"namespaces", namespaces},
      {"maskedPaths", StringArray(kMaskedPaths)},
      {"readonlyPaths", StringArray(kReadonlyPaths)},
  };
}

}  // namespace

Result<> MakeBusyboxRootfs(const std::string& rootfs, const std::string& busybox) {
  for (std::string_view dir : kRootDirs) TRY(MakeDirs(fmt::format("{}/{}", rootfs, dir)));
  std::string image = TRY_CTX(ReadFile(busybox), "reading busybox-static");
  std::string target = rootfs + "/bin/busybox";
  TRY(WriteFile(target, image, O_CREAT, 0755));
  for (std::string_view applet : kApplets) {
    std::string link = fmt::format("{}/bin/{}", rootfs, applet);
    if (::symlink("busybox", link.c_str()) < 0 && errno != EEXIST)
      return std::unexpected(ErrnoError(fmt::format("symlink {}", link)));
  }
  return {};
}

nlohmann::json MakeConfig(const ContainerConfig& config) {
  return {
      {"ociVersion", kOciVersion},
      {"process", MakeProcess(config)},
      {"root", {{"path", config.rootfs}, {"readonly", true}}},
      {"hostname", "bench"},
      {"mounts", MakeMounts()},
      {"linux", MakeLinux(config)},
  };
}

Result<> WriteBundle(const std::string& bundle_dir, const ContainerConfig& config) {
  TRY(MakeDirs(bundle_dir));
  return WriteFile(bundle_dir + "/config.json", MakeConfig(config).dump(2) + "\n", O_CREAT);
}

}  // namespace cocoon::bench
