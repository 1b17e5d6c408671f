// Reading cgroup statistics into the JSON shapes of `runc events --stats`
// (runc's types.Stats). Each function takes directories, so tests can point
// them at fixture files.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"

namespace cocoon::cgroup {

// The skeleton every stats object starts from: the members runc always prints.
nlohmann::json EmptyStats();

// v1: `paths` maps controller -> dir (cpu, cpuacct, cpuset, memory, pids,
// blkio, hugetlb); absent controllers are skipped. `clock_ticks` is USER_HZ,
// the unit of cpuacct.stat.
Result<> AddV1Stats(const std::map<std::string, std::string>& paths,
                    const std::vector<std::string>& hugepage_sizes, long clock_ticks,
                    nlohmann::json& stats);
// v2: everything from one directory; files of disabled controllers are skipped.
Result<> AddV2Stats(const std::string& dir, const std::vector<std::string>& hugepage_sizes,
                    nlohmann::json& stats);
// v2 hugetlb alone (hybrid hosts keep hugetlb in the v2 tree).
Result<> AddV2HugetlbStats(const std::string& dir, const std::vector<std::string>& hugepage_sizes,
                           nlohmann::json& stats);

// One blkio/io.stat entry list as runc prints it: [{major, minor, op, value}].
nlohmann::json ParseBlkioFile(const std::string& text);
// io.stat lines into {"ioServiceBytesRecursive": [...], "ioServicedRecursive": [...]}.
nlohmann::json ParseIoStat(const std::string& text);

}  // namespace cocoon::cgroup
