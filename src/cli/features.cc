// cocoon features: what this runtime supports, as runc's features JSON.
#include "cgroup/host.h"
#include "cli/command.h"
#include "linux/capabilities.h"
#include "linux/lsm.h"
#include "native/namespaces.h"
#include "rootfs/mount_options.h"

namespace cocoon::cli {
namespace {

constexpr const char* kHooks[] = {"prestart",        "createRuntime", "createContainer",
                                  "startContainer",  "poststart",     "poststop"};

nlohmann::ordered_json Features() {
  nlohmann::ordered_json out;
  out["ociVersionMin"] = "1.0.0";
  out["ociVersionMax"] = "1.2.0";
  out["hooks"] = kHooks;
  out["mountOptions"] = rootfs::KnownMountOptions();
  nlohmann::ordered_json linux;
  auto namespaces = nlohmann::json::array();
  for (const auto& kind : native::AllNamespaces()) namespaces.push_back(kind.type);
  linux["namespaces"] = namespaces;
  auto caps = nlohmann::json::array();
  for (int cap = 0; cap <= linux::KnownLastCapability(); ++cap) caps.push_back(linux::CapabilityName(cap));
  linux["capabilities"] = caps;
  bool v1 = false, v2 = false;
  if (auto host = cgroup::ReadHostInfo(); host) {
    if (auto layout = cgroup::DetectLayout(*host); layout) {
      v1 = *layout != cgroup::Layout::kV2;
      v2 = *layout != cgroup::Layout::kV1;
    }
  }
  linux["cgroup"] = {{"v1", v1}, {"v2", v2}, {"systemd", false}, {"systemdUser", false}};
  linux["seccomp"] = {{"enabled", true}};
  linux::LsmSupport lsm = linux::DetectLsm();
  linux["apparmor"] = {{"enabled", lsm.apparmor}};
  linux["selinux"] = {{"enabled", lsm.selinux}};
  out["linux"] = linux;
  out["annotations"] = {{"dev.cocoon.platforms", "native"}};
  return out;
}

}  // namespace

void RegisterFeatures(Cli& cli) {
  cli.Add("features", "print the features this runtime supports (JSON)", []() -> Result<int> {
    PrintLine(Features().dump(2));
    return 0;
  });
}

}  // namespace cocoon::cli
