// The cgroup v1 backend: one directory per mounted hierarchy.
#include <unistd.h>

#include <set>

#include "base/log.h"
#include "cgroup/backends.h"
#include "cgroup/convert.h"
#include "cgroup/fs.h"
#include "cgroup/resources.h"
#include "cgroup/stats.h"

namespace cocoon::cgroup {

namespace {

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

// A new v1 cpuset cgroup starts with empty cpus and mems, and no task can
// join it until both are set: copy them down from the nearest set ancestor.
Result<> FillCpuset(const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    if (!TRY(ReadControl(dir, file)).empty()) continue;
    std::string parent = Parent(dir);
    if (parent.empty() || !ControlExists(parent, file))
      return std::unexpected(Errorf("cgroup: no ancestor of {} has {} set", dir, file));
    TRY(FillCpuset(parent));
    TRY(WriteControl(dir, file, TRY(ReadControl(parent, file))));
  }
  return {};
}

std::string DeviceNumber(const oci::BlockIoDevice& d) {
  return fmt::format("{}:{}", d.major, d.minor);
}

Result<> SetMemory(const std::string& dir, const oci::MemoryResources& m) {
  int64_t limit = m.limit.value_or(0);
  int64_t swap = m.swap.value_or(0);
  // Unlimited memory with swap unset means unlimited swap too (runc).
  if (limit == -1 && swap == 0 && ControlExists(dir, "memory.memsw.limit_in_bytes")) swap = -1;
  auto set_limit = [&]() -> Result<> {
    if (limit != 0) TRY(WriteControl(dir, "memory.limit_in_bytes", std::to_string(limit)));
    return {};
  };
  auto set_swap = [&]() -> Result<> {
    if (swap == 0) return {};
    if (!ControlExists(dir, "memory.memsw.limit_in_bytes"))
      return std::unexpected(MakeError(
          "cgroup: linux.resources.memory.swap is set but this kernel has no swap accounting "
          "(memory.memsw.limit_in_bytes)"));
    return WriteControl(dir, "memory.memsw.limit_in_bytes", std::to_string(swap));
  };
  // The kernel requires limit <= memsw at every step, so the order depends on
  // whether the new memsw is above the current limit.
  bool swap_first = false;
  if (limit != 0 && swap != 0) {
    uint64_t current = TRY(ReadUint(dir, "memory.limit_in_bytes"));
    swap_first = swap == -1 || current < static_cast<uint64_t>(swap);
  }
  if (swap_first) {
    TRY(set_swap());
    TRY(set_limit());
  } else {
    TRY(set_limit());
    TRY(set_swap());
  }
  if (m.reservation)
    TRY(WriteControl(dir, "memory.soft_limit_in_bytes", std::to_string(*m.reservation)));
  if (m.kernel_tcp)
    TRY(WriteControl(dir, "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp)));
  if (m.swappiness) {
    if (*m.swappiness > 100)
      return std::unexpected(
          Errorf("cgroup: linux.resources.memory.swappiness {} is above 100", *m.swappiness));
    TRY(WriteControl(dir, "memory.swappiness", std::to_string(*m.swappiness)));
  }
  if (m.disable_oom_killer.value_or(false)) TRY(WriteControl(dir, "memory.oom_control", "1"));
  return {};
}

Result<> SetCpu(const std::string& dir, const oci::CpuResources& c) {
  if (c.shares) TRY(WriteControl(dir, "cpu.shares", std::to_string(*c.shares)));
  // The period first: a quota is checked against the period in place.
  if (c.period) TRY(WriteControl(dir, "cpu.cfs_period_us", std::to_string(*c.period)));
  if (c.quota) TRY(WriteControl(dir, "cpu.cfs_quota_us", std::to_string(*c.quota)));
  if (c.burst) TRY(WriteControl(dir, "cpu.cfs_burst_us", std::to_string(*c.burst)));
  if (c.realtime_period)
    TRY(WriteControl(dir, "cpu.rt_period_us", std::to_string(*c.realtime_period)));
  if (c.realtime_runtime)
    TRY(WriteControl(dir, "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime)));
  if (c.idle) TRY(WriteControl(dir, "cpu.idle", std::to_string(*c.idle)));
  return {};
}

Result<> SetCpuset(const std::string& dir, const oci::CpuResources& c) {
  if (!c.cpus.empty()) TRY(WriteControl(dir, "cpuset.cpus", c.cpus));
  if (!c.mems.empty()) TRY(WriteControl(dir, "cpuset.mems", c.mems));
  return {};
}

Result<> SetDevices(const std::string& dir, const std::vector<oci::DeviceCgroupRule>& rules) {
  // Start from nothing allowed, then apply the rules in order, as runc does.
  TRY(WriteControl(dir, "devices.deny", "a"));
  for (const oci::DeviceCgroupRule& rule : rules)
    TRY(WriteControl(dir, rule.allow ? "devices.allow" : "devices.deny", DeviceRuleString(rule)));
  return {};
}

Result<> SetBlkio(const std::string& dir, const oci::BlockIoResources& b) {
  // Kernels with BFQ only have blkio.bfq.weight.
  std::string weight_file =
      ControlExists(dir, "blkio.weight") ? "blkio.weight" : "blkio.bfq.weight";
  if (b.weight) TRY(WriteControl(dir, weight_file, std::to_string(*b.weight)));
  if (b.leaf_weight) TRY(WriteControl(dir, "blkio.leaf_weight", std::to_string(*b.leaf_weight)));
  for (const oci::WeightDevice& d : b.weight_device) {
    if (d.weight)
      TRY(WriteControl(dir, weight_file + (weight_file == "blkio.weight" ? "_device" : ""),
                       fmt::format("{} {}", DeviceNumber(d), *d.weight)));
    if (d.leaf_weight)
      TRY(WriteControl(dir, "blkio.leaf_weight_device",
                       fmt::format("{} {}", DeviceNumber(d), *d.leaf_weight)));
  }
  const std::pair<const std::vector<oci::ThrottleDevice>*, const char*> kThrottles[] = {
      {&b.throttle_read_bps_device, "blkio.throttle.read_bps_device"},
      {&b.throttle_write_bps_device, "blkio.throttle.write_bps_device"},
      {&b.throttle_read_iops_device, "blkio.throttle.read_iops_device"},
      {&b.throttle_write_iops_device, "blkio.throttle.write_iops_device"}};
  for (auto [devices, file] : kThrottles) {
    for (const oci::ThrottleDevice& d : *devices)
      TRY(WriteControl(dir, file, fmt::format("{} {}", DeviceNumber(d), d.rate)));
  }
  return {};
}

Result<> SetHugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& limits) {
  for (const oci::HugepageLimit& l : limits) {
    std::string file = "hugetlb." + l.page_size + ".limit_in_bytes";
    if (!ControlExists(dir, file))
      return std::unexpected(
          Errorf("cgroup: hugepage size \"{}\" is not supported by this host", l.page_size));
    TRY(WriteControl(dir, file, std::to_string(l.limit)));
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<V1Manager>> V1Manager::FromJson(const nlohmann::json& saved) {
  try {
    return std::make_unique<V1Manager>(
        saved.at("paths").get<std::map<std::string, std::string>>(),
        saved.value("created", std::map<std::string, std::string>()));
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(Errorf("cgroup: bad saved v1 state: {}", e.what()));
  }
}

nlohmann::json V1Manager::Save() const {
  return {{"layout", LayoutName(Layout::kV1)}, {"paths", paths_}, {"created", created_}};
}

Result<std::string> V1Manager::Dir(const std::string& controller, std::string_view field) const {
  auto it = paths_.find(controller);
  if (it == paths_.end())
    return std::unexpected(Errorf(
        "cgroup: linux.resources.{} needs the {} cgroup controller, which this host does not have",
        field, controller));
  return it->second;
}

Result<> V1Manager::EnsureCreated() {
  std::set<std::string> done;
  for (const auto& [controller, dir] : paths_) {
    if (!done.insert(dir).second) continue;  // co-mounted controllers share a dir
    std::string top = TRY(MakeCgroupDirs(dir));
    if (!top.empty()) created_[controller] = top;
    if (controller == "cpuset") TRY(FillCpuset(dir));
  }
  return {};
}

void V1Manager::PlanCreation() {
  for (const auto& [controller, dir] : paths_) {
    if (std::string top = TopMissingDir(dir); !top.empty()) created_[controller] = top;
  }
}

Result<> V1Manager::Apply(pid_t pid) {
  TRY(EnsureCreated());
  if (pid <= 0) return {};
  std::set<std::string> done;
  for (const auto& [controller, dir] : paths_) {
    if (done.insert(dir).second) TRY(WriteControl(dir, "cgroup.procs", std::to_string(pid)));
  }
  return {};
}

Result<> V1Manager::Set(const oci::Resources& r) {
  TRY(EnsureCreated());
  // runc's order: cpuset, devices, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio.
  if (r.cpu && HasCpuset(*r.cpu)) TRY(SetCpuset(TRY(Dir("cpuset", "cpu.cpus/mems")), *r.cpu));
  if (!r.devices.empty()) TRY(SetDevices(TRY(Dir("devices", "devices")), r.devices));
  if (r.memory) {
    WarnIgnoredMemory(*r.memory);
    if (HasMemoryLimits(*r.memory)) TRY(SetMemory(TRY(Dir("memory", "memory")), *r.memory));
  }
  if (r.cpu && HasCpuLimits(*r.cpu)) TRY(SetCpu(TRY(Dir("cpu", "cpu")), *r.cpu));
  if (r.pids && HasPidsLimit(*r.pids)) {
    std::string limit = r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max";
    TRY(WriteControl(TRY(Dir("pids", "pids")), "pids.max", limit));
  }
  if (r.block_io && HasBlockIoLimits(*r.block_io))
    TRY(SetBlkio(TRY(Dir("blkio", "blockIO")), *r.block_io));
  if (!r.hugepage_limits.empty())
    TRY(SetHugetlb(TRY(Dir("hugetlb", "hugepageLimits")), r.hugepage_limits));
  if (r.network && r.network->class_id)
    TRY(WriteControl(TRY(Dir("net_cls", "network.classID")), "net_cls.classid",
                     std::to_string(*r.network->class_id)));
  if (r.network) {
    for (const oci::InterfacePriority& p : r.network->priorities)
      TRY(WriteControl(TRY(Dir("net_prio", "network.priorities")), "net_prio.ifpriomap",
                       fmt::format("{} {}", p.name, p.priority)));
  }
  if (!r.unified.empty())
    return std::unexpected(MakeError(
        "cgroup: linux.resources.unified needs cgroup v2, and this host has only cgroup v1"));
  return {};
}

Result<> V1Manager::SetFreezerState(std::string_view state) {
  std::string dir = TRY(Dir("freezer", "freezer"));
  TRY(WriteControl(dir, "freezer.state", state));
  return WaitFor(
      fmt::format("{}/freezer.state to become {}", dir, state),
      [&]() -> Result<bool> { return TRY(ReadControl(dir, "freezer.state")) == state; },
      [&](int attempt) -> Result<> {
        // A task stuck in FREEZING (in vfork, say) often gets unstuck by a
        // brief thaw and a new freeze; runc does the same.
        if (state == "FROZEN" && attempt % 25 == 24)
          TRY(WriteControl(dir, "freezer.state", "THAWED"));
        return WriteControl(dir, "freezer.state", state);
      });
}

Result<> V1Manager::Freeze() { return SetFreezerState("FROZEN"); }
Result<> V1Manager::Thaw() { return SetFreezerState("THAWED"); }

Result<bool> V1Manager::IsFrozen() const {
  std::string dir = TRY(Dir("freezer", "freezer"));
  return TRY(ReadControl(dir, "freezer.state")) == "FROZEN";
}

Result<std::vector<pid_t>> V1Manager::Pids() const {
  // Any hierarchy holds every process; prefer those every host has.
  for (const char* c :
       {"pids", "freezer", "memory", "cpu", "cpuacct", "devices", "blkio", "cpuset"}) {
    if (auto it = paths_.find(c); it != paths_.end()) return ReadPidsRecursive(it->second);
  }
  if (paths_.empty())
    return std::unexpected(MakeError("cgroup: no v1 hierarchy to list pids from"));
  return ReadPidsRecursive(paths_.begin()->second);
}

Result<nlohmann::json> V1Manager::Stats() const {
  nlohmann::json stats = EmptyStats();
  TRY(AddV1Stats(paths_, HostHugePageSizes(), ::sysconf(_SC_CLK_TCK), stats));
  return stats;
}

Result<> V1Manager::Destroy() {
  std::set<std::string> done;
  Result<> first;
  for (const auto& [controller, dir] : paths_) {
    if (!done.insert(dir).second) continue;
    auto created = created_.find(controller);
    auto r = RemoveCgroupDirs(dir, created == created_.end() ? "" : created->second);
    // Keep going so one busy hierarchy does not leak the others; report the first.
    if (!r && first) first = std::move(r);
  }
  if (first) created_.clear();
  return first;
}

Result<uint64_t> V1Manager::OomKillCount() const {
  std::string dir = TRY(Dir("memory", "memory"));
  return ParseFlatKeyed(TRY(ReadControl(dir, "memory.oom_control")))["oom_kill"];
}

}  // namespace cocoon::cgroup
