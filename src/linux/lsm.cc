// AppArmor and SELinux exec attributes.
#include "linux/lsm.h"

#include <string>

#include "base/file.h"

namespace cocoon::linux {
namespace {

bool AppArmorEnabled() {
  Result<std::string> enabled = ReadFile("/sys/module/apparmor/parameters/enabled");
  return enabled && enabled->starts_with("Y");
}

bool SelinuxEnabled() { return PathExists("/sys/fs/selinux/enforce"); }

Result<> ApplyAppArmor(const std::string& profile) {
  // The per-LSM file exists since Linux 5.8; attr/exec is the older shared one.
  std::string path = "/proc/thread-self/attr/apparmor/exec";
  if (!PathExists(path)) path = "/proc/thread-self/attr/exec";
  return WithContext(WriteFile(path, "exec " + profile),
                     fmt::format("apparmor profile \"{}\"", profile));
}

Result<> ApplySelinux(const std::string& label) {
  return WithContext(WriteFile("/proc/thread-self/attr/exec", label),
                     fmt::format("selinux label \"{}\"", label));
}

}  // namespace

LsmSupport DetectLsm() {
  return LsmSupport{.apparmor = AppArmorEnabled(), .selinux = SelinuxEnabled()};
}

Result<> ValidateLsm(const oci::Process& process, const LsmSupport& support) {
  if (!process.apparmor_profile.empty() && !support.apparmor)
    return std::unexpected(
        Errorf("apparmor profile \"{}\" requested but AppArmor is not enabled on this host",
               process.apparmor_profile));
  if (!process.selinux_label.empty() && !support.selinux)
    return std::unexpected(
        Errorf("selinux label \"{}\" requested but SELinux is not enabled on this host",
               process.selinux_label));
  return {};
}

Result<> ValidateLsm(const oci::Process& process) {
  if (process.apparmor_profile.empty() && process.selinux_label.empty()) return {};
  return ValidateLsm(process, DetectLsm());
}

Result<> ApplyLsm(const oci::Process& process) {
  TRY(ValidateLsm(process));
  if (!process.apparmor_profile.empty()) TRY(ApplyAppArmor(process.apparmor_profile));
  if (!process.selinux_label.empty()) TRY(ApplySelinux(process.selinux_label));
  return {};
}

}  // namespace cocoon::linux
