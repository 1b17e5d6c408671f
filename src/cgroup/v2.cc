// The cgroup v2 backend: one directory in the unified tree.
#include <algorithm>
#include <chrono>
#include <thread>

#include "base/log.h"
#include "cgroup/backends.h"
#include "cgroup/convert.h"
#include "cgroup/devices_bpf.h"
#include "cgroup/fs.h"
#include "cgroup/resources.h"
#include "cgroup/stats.h"

namespace cocoon::cgroup {

namespace {

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  for (std::string_view w : Split(text, ' ')) {
    if (!TrimSpace(w).empty()) out.emplace_back(TrimSpace(w));
  }
  return out;
}

// Lets children of `dir` use every controller `dir` has. All at once first;
// one by one when that fails, skipping those the kernel refuses (a controller
// can be refused when `dir` holds processes), as runc does.
Result<> EnableControllers(const std::string& dir) {
  std::vector<std::string> available = Words(TRY(ReadControl(dir, "cgroup.controllers")));
  std::vector<std::string> enabled = Words(TRY(ReadControl(dir, "cgroup.subtree_control")));
  std::string all;
  std::vector<std::string> missing;
  for (const std::string& c : available) {
    if (std::find(enabled.begin(), enabled.end(), c) != enabled.end()) continue;
    missing.push_back(c);
    all += (all.empty() ? "+" : " +") + c;
  }
  if (missing.empty() || WriteControl(dir, "cgroup.subtree_control", all)) return {};
  for (const std::string& c : missing) {
    if (auto r = WriteControl(dir, "cgroup.subtree_control", "+" + c); !r)
      log::Debug("cgroup: not enabling {}: {}", c, r.error().message());
  }
  return {};
}

Result<> SetMemory(const std::string& dir, const oci::MemoryResources& m) {
  if (m.swap || (m.limit && *m.limit == -1)) {
    int64_t swap =
        TRY_CTX(SwapToV2(m.swap.value_or(0), m.limit.value_or(0)), "cgroup: linux.resources");
    if (swap != 0) {
      if (!ControlExists(dir, "memory.swap.max"))
        return std::unexpected(
            MakeError("cgroup: linux.resources.memory.swap is set but this kernel has no swap "
                      "accounting (memory.swap.max)"));
      // Swap first, as runc: lowering memory.max can then not push usage into a swap limit it
      // lacks.
      TRY(WriteControl(dir, "memory.swap.max", V2Limit(swap)));
    }
  }
  if (m.limit && *m.limit != 0) TRY(WriteControl(dir, "memory.max", V2Limit(*m.limit)));
  if (m.reservation && *m.reservation != 0)
    TRY(WriteControl(dir, "memory.low", V2Limit(*m.reservation)));
  if (m.swappiness)
    log::Warn("cgroup: linux.resources.memory.swappiness has no cgroup v2 equivalent, ignoring it");
  if (m.kernel_tcp)
    log::Warn("cgroup: linux.resources.memory.kernelTCP has no cgroup v2 equivalent, ignoring it");
  if (m.disable_oom_killer.value_or(false))
    log::Warn(
        "cgroup: linux.resources.memory.disableOOMKiller has no cgroup v2 equivalent, ignoring it");
  return {};
}

Result<> SetCpu(const std::string& dir, const oci::CpuResources& c) {
  if (HasRealtime(c))
    return std::unexpected(
        MakeError("cgroup: linux.resources.cpu.realtimeRuntime/realtimePeriod need cgroup v1 (the "
                  "cpu controller of v2 has no realtime limits)"));
  if (c.shares && *c.shares != 0)
    TRY(WriteControl(dir, "cpu.weight", std::to_string(CpuSharesToWeight(*c.shares))));
  if (c.quota || c.period) TRY(WriteControl(dir, "cpu.max", CpuMax(c.quota, c.period)));
  if (c.burst) TRY(WriteControl(dir, "cpu.max.burst", std::to_string(*c.burst)));
  if (c.idle) TRY(WriteControl(dir, "cpu.idle", std::to_string(*c.idle)));
  return {};
}

Result<> SetIo(const std::string& dir, const oci::BlockIoResources& b) {
  if (b.leaf_weight)
    log::Warn(
        "cgroup: linux.resources.blockIO.leafWeight has no cgroup v2 equivalent, ignoring it");
  // BFQ takes blkio weights as they are; io.weight uses another range.
  bool bfq = ControlExists(dir, "io.bfq.weight");
  auto weight_line = [&](const std::string& device, uint16_t weight) {
    return fmt::format("{} {}", device, bfq ? weight : BlkioWeightToIoWeight(weight));
  };
  const std::string weight_file = bfq ? "io.bfq.weight" : "io.weight";
  if (b.weight) TRY(WriteControl(dir, weight_file, weight_line("default", *b.weight)));
  for (const oci::WeightDevice& d : b.weight_device) {
    if (d.weight)
      TRY(WriteControl(dir, weight_file,
                       weight_line(fmt::format("{}:{}", d.major, d.minor), *d.weight)));
  }
  const std::pair<const std::vector<oci::ThrottleDevice>*, const char*> kThrottles[] = {
      {&b.throttle_read_bps_device, "rbps"},
      {&b.throttle_write_bps_device, "wbps"},
      {&b.throttle_read_iops_device, "riops"},
      {&b.throttle_write_iops_device, "wiops"}};
  for (auto [devices, key] : kThrottles) {
    for (const oci::ThrottleDevice& d : *devices) {
      std::string rate = d.rate == 0 ? "max" : std::to_string(d.rate);
      TRY(WriteControl(dir, "io.max", fmt::format("{}:{} {}={}", d.major, d.minor, key, rate)));
    }
  }
  return {};
}

Result<> SetHugetlb(const std::string& dir, const std::vector<oci::HugepageLimit>& limits) {
  for (const oci::HugepageLimit& l : limits) {
    std::string file = "hugetlb." + l.page_size + ".max";
    if (!ControlExists(dir, file))
      return std::unexpected(
          Errorf("cgroup: hugepage size \"{}\" is not supported by this host", l.page_size));
    TRY(WriteControl(dir, file, std::to_string(l.limit)));
  }
  return {};
}

// linux.resources.unified: file name -> value, written as they are. A key must
// name an existing file of this cgroup (never a path).
Result<> SetUnified(const std::string& dir, const std::map<std::string, std::string>& unified) {
  for (const auto& [key, value] : unified) {
    if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..")
      return std::unexpected(Errorf("cgroup: linux.resources.unified: invalid key \"{}\"", key));
    if (!ControlExists(dir, key))
      return std::unexpected(
          Errorf("cgroup: linux.resources.unified: key \"{}\": no such file in {} (is its "
                 "controller enabled?)",
                 key, dir));
    TRY(WriteControl(dir, key, value));
  }
  return {};
}

}  // namespace

Result<> WaitFor(const std::string& what, const std::function<Result<bool>()>& done,
                 const std::function<Result<>(int attempt)>& retry) {
  auto delay = std::chrono::microseconds(100);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (int attempt = 0;; ++attempt) {
    if (TRY(done())) return {};
    if (std::chrono::steady_clock::now() > deadline)
      return std::unexpected(Errorf("cgroup: timed out waiting for {}", what));
    std::this_thread::sleep_for(delay);
    delay = std::min<std::chrono::microseconds>(delay * 2, std::chrono::milliseconds(10));
    TRY(retry(attempt));
  }
}

Result<std::unique_ptr<V2Manager>> V2Manager::FromJson(const nlohmann::json& saved) {
  try {
    return std::make_unique<V2Manager>(saved.at("path").get<std::string>(),
                                       saved.at("mount").get<std::string>(),
                                       saved.value("created", std::string()));
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(Errorf("cgroup: bad saved v2 state: {}", e.what()));
  }
}

nlohmann::json V2Manager::Save() const {
  return {{"layout", LayoutName(Layout::kV2)},
          {"path", dir_},
          {"mount", mount_},
          {"created", created_}};
}

bool V2Manager::HasController(const std::string& controller) const {
  std::string dir = ControlExists(dir_, "cgroup.controllers") ? dir_ : mount_;
  auto text = ReadControl(dir, "cgroup.controllers");
  if (!text) return false;
  std::vector<std::string> words = Words(*text);
  return std::find(words.begin(), words.end(), controller) != words.end();
}

Result<> V2Manager::Require(const std::string& controller, std::string_view field) const {
  if (HasController(controller)) return {};
  return std::unexpected(Errorf(
      "cgroup: linux.resources.{} needs the {} cgroup controller, which is not available in {}",
      field, controller, dir_));
}

Result<> V2Manager::EnsureCreated() {
  if (!dir_.starts_with(mount_ + "/"))
    return std::unexpected(Errorf("cgroup: {} is not below the cgroup2 mount {}", dir_, mount_));
  // Walk down from the mount, enabling controllers in each level before
  // creating the next: a child only gets the controllers its parent enables.
  std::string level = mount_;
  for (std::string_view part : Split(std::string_view(dir_).substr(mount_.size() + 1), '/')) {
    TRY(EnableControllers(level));
    level += "/" + std::string(part);
    std::string top = TRY(MakeCgroupDirs(level));
    if (!top.empty() && created_.empty()) created_ = top;
  }
  return {};
}

void V2Manager::PlanCreation() {
  if (created_.empty()) created_ = TopMissingDir(dir_);
}

Result<> V2Manager::Apply(pid_t pid) {
  TRY(EnsureCreated());
  if (pid > 0) TRY(WriteControl(dir_, "cgroup.procs", std::to_string(pid)));
  return {};
}

Result<> V2Manager::Set(const oci::Resources& r) {
  TRY(EnsureCreated());
  if (r.cpu && HasCpuset(*r.cpu)) {
    TRY(Require("cpuset", "cpu.cpus/mems"));
    if (!r.cpu->cpus.empty()) TRY(WriteControl(dir_, "cpuset.cpus", r.cpu->cpus));
    if (!r.cpu->mems.empty()) TRY(WriteControl(dir_, "cpuset.mems", r.cpu->mems));
  }
  if (!r.devices.empty()) TRY(ApplyDeviceRulesBpf(dir_, r.devices));
  if (r.memory) {
    WarnIgnoredMemory(*r.memory);
    if (HasMemoryLimits(*r.memory)) {
      TRY(Require("memory", "memory"));
      TRY(SetMemory(dir_, *r.memory));
    }
  }
  if (r.cpu && HasCpuLimits(*r.cpu)) {
    TRY(Require("cpu", "cpu"));
    TRY(SetCpu(dir_, *r.cpu));
  }
  if (r.pids && HasPidsLimit(*r.pids)) {
    TRY(Require("pids", "pids"));
    TRY(WriteControl(dir_, "pids.max", V2Limit(r.pids->limit)));
  }
  if (r.block_io && HasBlockIoLimits(*r.block_io)) {
    TRY(Require("io", "blockIO"));
    TRY(SetIo(dir_, *r.block_io));
  }
  if (!r.hugepage_limits.empty()) {
    TRY(Require("hugetlb", "hugepageLimits"));
    TRY(SetHugetlb(dir_, r.hugepage_limits));
  }
  if (r.network && r.network->class_id)
    return std::unexpected(
        MakeError("cgroup: linux.resources.network.classID needs the net_cls cgroup controller, "
                  "which cgroup v2 does not have"));
  if (r.network && !r.network->priorities.empty())
    return std::unexpected(
        MakeError("cgroup: linux.resources.network.priorities needs the net_prio cgroup "
                  "controller, which cgroup v2 does not have"));
  TRY(SetUnified(dir_, r.unified));
  return {};
}

Result<> V2Manager::SetFrozen(bool frozen) {
  if (!ControlExists(dir_, "cgroup.freeze"))
    return std::unexpected(
        Errorf("cgroup: {} has no cgroup.freeze (the v2 freezer needs Linux 5.2)", dir_));
  const char* value = frozen ? "1" : "0";
  TRY(WriteControl(dir_, "cgroup.freeze", value));
  return WaitFor(
      fmt::format("{}/cgroup.events to say frozen {}", dir_, value),
      [&]() -> Result<bool> { return TRY(IsFrozen()) == frozen; },
      [](int) -> Result<> { return {}; });
}

Result<> V2Manager::Freeze() { return SetFrozen(true); }
Result<> V2Manager::Thaw() { return SetFrozen(false); }

Result<bool> V2Manager::IsFrozen() const {
  return ParseFlatKeyed(TRY(ReadControl(dir_, "cgroup.events")))["frozen"] == 1;
}

Result<std::vector<pid_t>> V2Manager::Pids() const { return ReadPidsRecursive(dir_); }

Result<nlohmann::json> V2Manager::Stats() const {
  nlohmann::json stats = EmptyStats();
  TRY(AddV2Stats(dir_, HostHugePageSizes(), stats));
  return stats;
}

Result<> V2Manager::Destroy() {
  TRY(RemoveCgroupDirs(dir_, created_));
  created_.clear();
  return {};
}

Result<uint64_t> V2Manager::OomKillCount() const {
  TRY(Require("memory", "memory"));
  return ParseFlatKeyed(TRY(ReadControl(dir_, "memory.events")))["oom_kill"];
}

}  // namespace cocoon::cgroup
