// Device access rules on cgroup v2, which has no devices files: an eBPF
// program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::cgroup {

// The program for `rules`: the last matching rule decides, and a request no
// rule matches is denied (the deny-all start runc uses on v1). An allow rule
// matches when it grants every requested access; a deny rule when it names any.
std::vector<bpf_insn> BuildDeviceProgram(const std::vector<oci::DeviceCgroupRule>& rules);

// Loads the program for `rules` and attaches it to the cgroup at `dir`,
// replacing device programs attached there before (e.g. by an earlier Set).
Result<> ApplyDeviceRulesBpf(const std::string& dir,
                             const std::vector<oci::DeviceCgroupRule>& rules);

}  // namespace cocoon::cgroup
