// Predicates over oci::Resources.
#include "cgroup/resources.h"

#include "base/log.h"

namespace cocoon::cgroup {

bool HasMemoryLimits(const oci::MemoryResources& m) {
  return m.limit || m.reservation || m.swap || m.kernel_tcp || m.swappiness ||
         m.disable_oom_killer.value_or(false);
}

bool HasRealtime(const oci::CpuResources& c) { return c.realtime_runtime || c.realtime_period; }

bool HasCpuLimits(const oci::CpuResources& c) {
  return c.shares || c.quota || c.period || c.burst || c.idle || HasRealtime(c);
}

bool HasCpuset(const oci::CpuResources& c) { return !c.cpus.empty() || !c.mems.empty(); }

bool HasBlockIoLimits(const oci::BlockIoResources& b) {
  return b.weight || b.leaf_weight || !b.weight_device.empty() ||
         !b.throttle_read_bps_device.empty() || !b.throttle_write_bps_device.empty() ||
         !b.throttle_read_iops_device.empty() || !b.throttle_write_iops_device.empty();
}

bool HasPidsLimit(const oci::PidsResources& p) { return p.limit != 0; }

void WarnIgnoredMemory(const oci::MemoryResources& m) {
  // The kernel dropped kmem limits (5.16 deprecates them); runc ignores them too.
  if (m.kernel) log::Warn("cgroup: linux.resources.memory.kernel is not supported, ignoring it");
}

}  // namespace cocoon::cgroup
