// Choosing a cgroup backend from the host layout, and restoring a saved one.
#include "cgroup/manager.h"

#include "cgroup/backends.h"

namespace cocoon::cgroup {

Manager::~Manager() = default;

Result<std::unique_ptr<Manager>> Manager::Create(const std::string& cgroups_path,
                                                 const std::string& container_id) {
  return Create(cgroups_path, container_id, TRY(ReadHostInfo()));
}

Result<std::unique_ptr<Manager>> Manager::Create(const std::string& cgroups_path,
                                                 const std::string& container_id,
                                                 const HostInfo& host) {
  std::string inner = InnerPath(cgroups_path, container_id);
  if (inner.empty() || inner == "/")
    return std::unexpected(Errorf("cgroup: no cgroup path for container \"{}\"", container_id));
  Layout layout = TRY(DetectLayout(host));
  auto v2 = [&]() -> Result<std::unique_ptr<V2Manager>> {
    return std::make_unique<V2Manager>(TRY(ResolveV2Path(host, inner)),
                                       host.V2Mount()->mount_point);
  };
  switch (layout) {
    case Layout::kV1:
      return std::make_unique<V1Manager>(TRY(ResolveV1Paths(host, inner)));
    case Layout::kV2:
      return TRY(v2());
    case Layout::kHybrid:
      return std::make_unique<HybridManager>(
          std::make_unique<V1Manager>(TRY(ResolveV1Paths(host, inner))), TRY(v2()));
  }
  return std::unexpected(MakeError("cgroup: unknown layout"));
}

Result<std::unique_ptr<Manager>> Manager::Load(const nlohmann::json& saved) {
  if (!saved.is_object() || !saved.contains("layout") || !saved["layout"].is_string())
    return std::unexpected(MakeError("cgroup: saved state has no \"layout\""));
  switch (TRY(ParseLayout(saved["layout"].get<std::string>()))) {
    case Layout::kV1:
      return TRY(V1Manager::FromJson(saved));
    case Layout::kV2:
      return TRY(V2Manager::FromJson(saved));
    case Layout::kHybrid:
      return TRY(HybridManager::FromJson(saved));
  }
  return std::unexpected(MakeError("cgroup: unknown layout"));
}

}  // namespace cocoon::cgroup
