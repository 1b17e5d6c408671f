// Id map writing.
#include "native/idmap.h"

#include "base/file.h"

namespace cocoon::native {

std::string FormatIdMappings(const std::vector<oci::IdMapping>& mappings) {
  std::string out;
  for (const auto& m : mappings) out += fmt::format("{} {} {}\n", m.container_id, m.host_id, m.size);
  return out;
}

Result<> WriteIdMappings(pid_t pid, const std::vector<oci::IdMapping>& uids,
                         const std::vector<oci::IdMapping>& gids) {
  if (!gids.empty()) TRY(WriteFile(fmt::format("/proc/{}/gid_map", pid), FormatIdMappings(gids)));
  if (!uids.empty()) TRY(WriteFile(fmt::format("/proc/{}/uid_map", pid), FormatIdMappings(uids)));
  return {};
}

}  // namespace cocoon::native
