// cgroup v2 device rules (eBPF): not implemented yet.
#include "cgroup/devices_bpf.h"

namespace cocoon::cgroup {

Result<> ApplyDeviceRulesBpf(const std::string& dir, const std::vector<oci::DeviceCgroupRule>& rules) {
  (void)rules;
  return std::unexpected(Errorf(
      "cgroup: linux.resources.devices on cgroup v2 ({}) needs an eBPF device program, which is not implemented yet",
      dir));
}

}  // namespace cocoon::cgroup
