// Device access rules on cgroup v2, which has no devices files: an eBPF
// program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::cgroup {

// Replaces the device program of the cgroup at `dir` with one that enforces
// `rules` (deny-all first, later rules win, as on v1).
Result<> ApplyDeviceRulesBpf(const std::string& dir, const std::vector<oci::DeviceCgroupRule>& rules);

}  // namespace cocoon::cgroup
