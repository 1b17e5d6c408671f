// Sysctl validation (runc's namespace rules) and /proc/sys writes.
#include "linux/sysctls.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "base/file.h"

namespace cocoon::linux {
namespace {

// IPC keys outside fs.mqueue.*, which is a prefix rule.
constexpr std::array<std::string_view, 8> kIpcSysctls = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

// The dotted form of a key, for matching against the rules.
std::string Dotted(const std::string& key) {
  if (key.find('/') == std::string::npos) return key;
  std::string out = key;
  std::replace(out.begin(), out.end(), '/', '.');
  return out;
}

bool IsIpcKey(const std::string& dotted) {
  return std::find(kIpcSysctls.begin(), kIpcSysctls.end(), dotted) != kIpcSysctls.end() ||
         dotted.starts_with("fs.mqueue.");
}

bool HasNamespace(const oci::Spec& spec, const char* type) {
  return spec.FindNamespace(type) != nullptr;
}

// A joined network namespace that is really the host's gives no isolation.
Result<> CheckNotHostNetns(const std::string& path, const std::string& key) {
  struct stat joined {
  }, host{};
  if (stat(path.c_str(), &joined) != 0)
    return std::unexpected(
        ErrnoError(fmt::format("sysctl \"{}\": network namespace {}", key, path)));
  if (stat("/proc/self/ns/net", &host) != 0) return {};
  if (joined.st_dev == host.st_dev && joined.st_ino == host.st_ino)
    return std::unexpected(
        Errorf("sysctl \"{}\" is not allowed: {} is the host's network namespace", key, path));
  return {};
}

Result<> ValidateKey(const std::string& key, const oci::Spec& spec) {
  TRY(SysctlPath(key));
  std::string dotted = Dotted(key);
  if (IsIpcKey(dotted)) {
    if (HasNamespace(spec, "ipc")) return {};
    return std::unexpected(Errorf("sysctl \"{}\" is not allowed in the host's ipc namespace", key));
  }
  if (dotted.starts_with("net.")) {
    const oci::Namespace* ns = spec.FindNamespace("network");
    if (!ns)
      return std::unexpected(
          Errorf("sysctl \"{}\" is not allowed in the host's network namespace", key));
    if (!ns->path.empty()) TRY(CheckNotHostNetns(ns->path, key));
    return {};
  }
  if (dotted == "kernel.domainname" || dotted == "kernel.hostname") {
    if (!HasNamespace(spec, "uts"))
      return std::unexpected(
          Errorf("sysctl \"{}\" is not allowed in the host's uts namespace", key));
    if (dotted == "kernel.hostname" && !spec.hostname.empty())
      return std::unexpected(Errorf("sysctl \"{}\" conflicts with the spec's hostname field", key));
    return {};
  }
  return std::unexpected(Errorf("sysctl \"{}\" is not in a separate kernel namespace", key));
}

}  // namespace

Result<std::string> SysctlPath(const std::string& key) {
  char separator = key.find('/') == std::string::npos ? '.' : '/';
  std::string path = "/proc/sys";
  size_t start = 0;
  while (true) {
    size_t end = key.find(separator, start);
    std::string_view part = std::string_view(key).substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    if (part.empty() || part == "." || part == "..")
      return std::unexpected(Errorf("sysctl \"{}\": invalid key", key));
    path += '/';
    path += part;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return path;
}

Result<> ValidateSysctl(const std::map<std::string, std::string>& sysctl, const oci::Spec& spec) {
  for (const auto& [key, value] : sysctl) TRY_CTX(ValidateKey(key, spec), "linux.sysctl");
  return {};
}

Result<> ApplySysctl(const std::map<std::string, std::string>& sysctl) {
  for (const auto& [key, value] : sysctl) {
    std::string path = TRY(SysctlPath(key));
    TRY_CTX(WriteFile(path, value), fmt::format("sysctl \"{}\"", key));
  }
  return {};
}

}  // namespace cocoon::linux
