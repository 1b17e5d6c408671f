// User namespace id mappings: /proc/<pid>/uid_map and gid_map.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::native {

// "0 100000 65536\n" lines, one per mapping.
std::string FormatIdMappings(const std::vector<oci::IdMapping>& mappings);

// Writes both maps of `pid` (gid first; setgroups stays allowed: we are root).
Result<> WriteIdMappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                         const std::vector<oci::IdMapping>& gids);

}  // namespace cocoon::native
