// Which parts of oci::Resources are actually set, so a backend asks for a
// controller only when the spec sets a limit for it.
#pragma once

#include "oci/spec.h"

namespace cocoon::cgroup {

// Memory limits the manager writes (kernel memory is ignored with a warning).
bool HasMemoryLimits(const oci::MemoryResources& m);
// cpu controller fields: shares, quota, period, burst, realtime, idle.
bool HasCpuLimits(const oci::CpuResources& c);
bool HasRealtime(const oci::CpuResources& c);
// cpuset controller fields: cpus, mems.
bool HasCpuset(const oci::CpuResources& c);
bool HasBlockIoLimits(const oci::BlockIoResources& b);
bool HasPidsLimit(const oci::PidsResources& p);  // limit 0 means unset, as in runc

// Logs a warning for settings cgroups no longer implement (kernel memory).
void WarnIgnoredMemory(const oci::MemoryResources& m);

}  // namespace cocoon::cgroup
