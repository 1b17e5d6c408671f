// Pure translations from OCI resource values to cgroup file contents, the
// same ones runc makes, kept apart so they are unit-tested without a host.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::cgroup {

// cpu.shares (2..262144) to cpu.weight (1..10000); 0 stays 0 ("unset").
uint64_t CpuSharesToWeight(uint64_t shares);
// blkio.weight (10..1000) to io.weight (1..10000); 0 stays 0.
uint64_t BlkioWeightToIoWeight(uint64_t weight);
// OCI memory.swap is memory+swap (v1 semantics); v2's memory.swap.max is swap
// alone. Returns the memory.swap.max value (-1 is "max", 0 "leave unset").
Result<int64_t> SwapToV2(int64_t swap, int64_t limit);
// A limit for a v2 file: -1 (or any negative) is "max".
std::string V2Limit(int64_t value);
// cpu.max: "<quota|max> <period>" or "<quota|max>" when period is unset.
std::string CpuMax(std::optional<int64_t> quota, std::optional<uint64_t> period);

// A v1 devices.allow/deny line: "c 1:3 rwm", "a *:* rwm".
std::string DeviceRuleString(const oci::DeviceCgroupRule& rule);
// The devices every container may use, as runc appends them (null, zero, full,
// tty, random, urandom, ptmx, pts, tun, and mknod of any device). The container
// layer appends these to the spec's rules; the manager applies what it is given.
std::vector<oci::DeviceCgroupRule> DefaultAllowedDevices();

// "2MB" from a /sys/kernel/mm/hugepages entry "hugepages-2048kB".
Result<std::string> HugePageSizeName(const std::string& dir_entry);
// Page sizes of this host as cgroup file names use them ("2MB", "1GB").
std::vector<std::string> HostHugePageSizes(const std::string& dir = "/sys/kernel/mm/hugepages");

}  // namespace cocoon::cgroup
