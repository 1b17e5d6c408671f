// The hybrid backend: v1 hierarchies plus the v2 tree for what only v2 has.
#include "base/log.h"
#include "cgroup/backends.h"
#include "cgroup/convert.h"
#include "cgroup/resources.h"
#include "cgroup/stats.h"

namespace cocoon::cgroup {

namespace {

// Moves resource group `field` from the v1 request to the v2 one when only
// the v2 tree has its controller: on hybrid hosts a controller lives in
// exactly one of the two trees. Otherwise v1 keeps it (and names the missing
// controller if neither has it).
template <typename T>
void Route(oci::Resources& v1r, oci::Resources& v2r, T oci::Resources::*field, bool v1_has,
           bool v2_has) {
  if (!v1_has && v2_has) {
    v2r.*field = std::move(v1r.*field);
    v1r.*field = T();
  }
}

}  // namespace

Result<std::unique_ptr<HybridManager>> HybridManager::FromJson(const nlohmann::json& saved) {
  if (!saved.contains("v1") || !saved.contains("v2"))
    return std::unexpected(MakeError("cgroup: bad saved hybrid state: needs v1 and v2"));
  return std::make_unique<HybridManager>(TRY(V1Manager::FromJson(saved["v1"])),
                                         TRY(V2Manager::FromJson(saved["v2"])));
}

nlohmann::json HybridManager::Save() const {
  return {{"layout", LayoutName(Layout::kHybrid)}, {"v1", v1_->Save()}, {"v2", v2_->Save()}};
}

Result<> HybridManager::Apply(pid_t pid) {
  TRY(v1_->Apply(pid));
  return v2_->Apply(pid);
}

Result<> HybridManager::Set(const oci::Resources& r) {
  oci::Resources v1r = r, v2r;
  v2r.unified = std::move(v1r.unified);
  v1r.unified.clear();
  auto has = [&](const char* c) { return std::pair{v1_->HasController(c), v2_->HasController(c)}; };
  auto [v1_mem, v2_mem] = has("memory");
  Route(v1r, v2r, &oci::Resources::memory, v1_mem, v2_mem);
  auto [v1_pids, v2_pids] = has("pids");
  Route(v1r, v2r, &oci::Resources::pids, v1_pids, v2_pids);
  auto [v1_blkio, v2_io] = std::pair{v1_->HasController("blkio"), v2_->HasController("io")};
  Route(v1r, v2r, &oci::Resources::block_io, v1_blkio, v2_io);
  auto [v1_huge, v2_huge] = has("hugetlb");
  Route(v1r, v2r, &oci::Resources::hugepage_limits, v1_huge, v2_huge);
  auto [v1_dev, v2_dev] = has("devices");
  (void)v2_dev;  // v2 devices need no controller: route them there only when v1 has none
  Route(v1r, v2r, &oci::Resources::devices, v1_dev, true);
  if (r.cpu) {
    bool need_cpu = HasCpuLimits(*r.cpu), need_cpuset = HasCpuset(*r.cpu);
    bool v1_ok =
        (!need_cpu || v1_->HasController("cpu")) && (!need_cpuset || v1_->HasController("cpuset"));
    bool v2_ok =
        (!need_cpu || v2_->HasController("cpu")) && (!need_cpuset || v2_->HasController("cpuset"));
    Route(v1r, v2r, &oci::Resources::cpu, v1_ok, v2_ok);
  }
  TRY(v1_->Set(v1r));
  return v2_->Set(v2r);
}

Manager& HybridManager::FreezerSide() const {
  if (v1_->HasController("freezer")) return *v1_;
  return *v2_;
}

Result<> HybridManager::Freeze() { return FreezerSide().Freeze(); }
Result<> HybridManager::Thaw() { return FreezerSide().Thaw(); }
Result<bool> HybridManager::IsFrozen() const { return FreezerSide().IsFrozen(); }

Result<nlohmann::json> HybridManager::Stats() const {
  nlohmann::json stats = TRY(v1_->Stats());
  if (!v1_->HasController("hugetlb"))
    TRY(AddV2HugetlbStats(v2_->dir(), HostHugePageSizes(), stats));
  return stats;
}

Result<> HybridManager::Destroy() {
  auto r1 = v1_->Destroy();
  auto r2 = v2_->Destroy();
  if (!r1 && !r2)
    return std::unexpected(
        Error(r1.error().code(), r1.error().message() + "; " + r2.error().message()));
  return r1 ? r2 : r1;
}

std::map<std::string, std::string> HybridManager::Paths() const {
  auto paths = v1_->Paths();
  paths[""] = v2_->dir();
  return paths;
}

Result<uint64_t> HybridManager::OomKillCount() const {
  if (v1_->HasController("memory") || !v2_->HasController("memory")) return v1_->OomKillCount();
  return v2_->OomKillCount();
}

}  // namespace cocoon::cgroup
