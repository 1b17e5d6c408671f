// Cgroup statistics in runc's JSON shapes.
#include "cgroup/stats.h"

#include "cgroup/fs.h"

namespace cocoon::cgroup {

namespace {

using nlohmann::json;

// Go's `omitempty` on numbers: zero values are left out.
void PutNonZero(json& obj, const char* key, uint64_t value) {
  if (value != 0) obj[key] = value;
}

// Reads `file` when it exists; a missing file (disabled controller, older
// kernel) is not an error for statistics.
Result<std::optional<std::string>> ReadOptional(const std::string& dir, const std::string& file) {
  if (dir.empty() || !ControlExists(dir, file)) return std::optional<std::string>();
  return std::optional<std::string>(TRY(ReadControl(dir, file)));
}

Result<uint64_t> ReadUintOr0(const std::string& dir, const std::string& file) {
  if (dir.empty()) return 0;
  auto v = TRY(ReadUintIfExists(dir, file));
  return v.value_or(0);
}

std::string Lookup(const std::map<std::string, std::string>& paths, const std::string& key) {
  auto it = paths.find(key);
  return it == paths.end() ? std::string() : it->second;
}

json MemoryEntry(uint64_t usage, uint64_t max, uint64_t failcnt, uint64_t limit) {
  json e = {{"limit", limit}, {"failcnt", failcnt}};
  PutNonZero(e, "usage", usage);
  PutNonZero(e, "max", max);
  return e;
}

// memory.<prefix>usage_in_bytes and friends (v1).
Result<json> V1MemoryEntry(const std::string& dir, const std::string& prefix) {
  return MemoryEntry(TRY(ReadUintOr0(dir, prefix + "usage_in_bytes")),
                     TRY(ReadUintOr0(dir, prefix + "max_usage_in_bytes")),
                     TRY(ReadUintOr0(dir, prefix + "failcnt")),
                     TRY(ReadUintOr0(dir, prefix + "limit_in_bytes")));
}

Result<> AddV1Cpu(const std::string& cpu, const std::string& cpuacct, long clock_ticks,
                  json& stats) {
  json& usage = stats["cpu"]["usage"];
  if (!cpuacct.empty()) {
    PutNonZero(usage, "total", TRY(ReadUintOr0(cpuacct, "cpuacct.usage")));
    static constexpr std::pair<const char*, const char*> kPerCpu[] = {
        {"cpuacct.usage_percpu", "percpu"},
        {"cpuacct.usage_percpu_sys", "percpu_kernel"},
        {"cpuacct.usage_percpu_user", "percpu_user"}};
    for (auto [file, key] : kPerCpu) {
      auto text = TRY(ReadOptional(cpuacct, file));
      if (text && !ParseUintList(*text).empty()) usage[key] = ParseUintList(*text);
    }
    if (auto text = TRY(ReadOptional(cpuacct, "cpuacct.stat")); text && clock_ticks > 0) {
      auto kv = ParseFlatKeyed(*text);
      uint64_t ticks = static_cast<uint64_t>(clock_ticks);
      usage["user"] = kv["user"] * 1000000000ull / ticks;
      usage["kernel"] = kv["system"] * 1000000000ull / ticks;
    }
  }
  if (auto text = TRY(ReadOptional(cpu, "cpu.stat"))) {
    auto kv = ParseFlatKeyed(*text);
    json& t = stats["cpu"]["throttling"];
    PutNonZero(t, "periods", kv["nr_periods"]);
    PutNonZero(t, "throttledPeriods", kv["nr_throttled"]);
    PutNonZero(t, "throttledTime", kv["throttled_time"]);
  }
  return {};
}

Result<> AddCpuset(const std::string& dir, const std::string& prefix, json& stats) {
  if (dir.empty()) return {};
  json& out = stats["cpuset"];
  for (auto [file, key] : {std::pair{"cpus", "cpus"}, std::pair{"mems", "mems"}}) {
    // v2 reports what is in effect; v1 has only the configured value.
    auto text = TRY(ReadOptional(dir, prefix + file + ".effective"));
    if (!text) text = TRY(ReadOptional(dir, prefix + file));
    if (!text) continue;
    auto list = TRY(ParseCpuList(*text));
    if (!list.empty()) out[key] = list;
  }
  static constexpr const char* kFlags[] = {
      "cpu_exclusive",      "mem_hardwall",       "mem_exclusive",   "memory_migrate",
      "memory_spread_page", "memory_spread_slab", "memory_pressure", "sched_load_balance"};
  for (const char* flag : kFlags) {
    if (auto v = TRY(ReadUintIfExists(dir, prefix + flag))) out[flag] = *v;
  }
  if (auto text = TRY(ReadOptional(dir, prefix + "sched_relax_domain_level"))) {
    try {
      out["sched_relax_domain_level"] = std::stoll(*text);
    } catch (const std::exception&) {
      return std::unexpected(
          Errorf("cgroup: {}/{}sched_relax_domain_level: bad value \"{}\"", dir, prefix, *text));
    }
  }
  return {};
}

Result<> AddV1Memory(const std::string& dir, json& stats) {
  if (dir.empty()) return {};
  json& mem = stats["memory"];
  if (auto text = TRY(ReadOptional(dir, "memory.stat"))) {
    auto raw = ParseFlatKeyed(*text);
    PutNonZero(mem, "cache", raw["cache"]);
    mem["raw"] = raw;
  }
  mem["usage"] = TRY(V1MemoryEntry(dir, "memory."));
  mem["swap"] = TRY(V1MemoryEntry(dir, "memory.memsw."));
  mem["kernel"] = TRY(V1MemoryEntry(dir, "memory.kmem."));
  mem["kernelTCP"] = TRY(V1MemoryEntry(dir, "memory.kmem.tcp."));
  return {};
}

Result<> AddPids(const std::string& dir, json& stats) {
  if (dir.empty()) return {};
  json& pids = stats["pids"];
  PutNonZero(pids, "current", TRY(ReadUintOr0(dir, "pids.current")));
  uint64_t limit = TRY(ReadUintOr0(dir, "pids.max"));
  // "max" (no limit) is printed as no limit at all, as runc does.
  if (limit != std::numeric_limits<uint64_t>::max()) PutNonZero(pids, "limit", limit);
  return {};
}

Result<> AddV1Blkio(const std::string& dir, json& stats) {
  if (dir.empty()) return {};
  // CFQ's files, else BFQ's, else the throttling layer's, as runc prefers them.
  std::string prefix = "blkio.throttle.";
  for (const char* p : {"blkio.", "blkio.bfq."}) {
    if (ControlExists(dir, std::string(p) + "io_serviced_recursive")) {
      prefix = p;
      break;
    }
  }
  static constexpr std::pair<const char*, const char*> kFiles[] = {
      {"io_service_bytes_recursive", "ioServiceBytesRecursive"},
      {"io_serviced_recursive", "ioServicedRecursive"},
      {"io_queued_recursive", "ioQueueRecursive"},
      {"io_service_time_recursive", "ioServiceTimeRecursive"},
      {"io_wait_time_recursive", "ioWaitTimeRecursive"},
      {"io_merged_recursive", "ioMergedRecursive"},
      {"time_recursive", "ioTimeRecursive"},
      {"sectors_recursive", "sectorsRecursive"}};
  json& blkio = stats["blkio"];
  for (auto [file, key] : kFiles) {
    auto text = TRY(ReadOptional(dir, prefix + file));
    if (!text) continue;
    json entries = ParseBlkioFile(*text);
    if (!entries.empty()) blkio[key] = std::move(entries);
  }
  return {};
}

Result<> AddV1Hugetlb(const std::string& dir, const std::vector<std::string>& sizes, json& stats) {
  if (dir.empty()) return {};
  for (const std::string& size : sizes) {
    std::string p = "hugetlb." + size + ".";
    if (!ControlExists(dir, p + "usage_in_bytes")) continue;
    json e = {{"failcnt", TRY(ReadUint(dir, p + "failcnt"))}};
    PutNonZero(e, "usage", TRY(ReadUint(dir, p + "usage_in_bytes")));
    PutNonZero(e, "max", TRY(ReadUintOr0(dir, p + "max_usage_in_bytes")));
    stats["hugetlb"][size] = e;
  }
  return {};
}

Result<> AddV2Cpu(const std::string& dir, json& stats) {
  auto text = TRY(ReadOptional(dir, "cpu.stat"));
  if (!text) return {};
  auto kv = ParseFlatKeyed(*text);
  json& usage = stats["cpu"]["usage"];
  PutNonZero(usage, "total", kv["usage_usec"] * 1000);
  usage["user"] = kv["user_usec"] * 1000;
  usage["kernel"] = kv["system_usec"] * 1000;
  json& t = stats["cpu"]["throttling"];
  PutNonZero(t, "periods", kv["nr_periods"]);
  PutNonZero(t, "throttledPeriods", kv["nr_throttled"]);
  PutNonZero(t, "throttledTime", kv["throttled_usec"] * 1000);
  return {};
}

Result<uint64_t> EventCount(const std::string& dir, const std::string& file, const char* key) {
  auto text = TRY(ReadOptional(dir, file));
  if (!text) return 0;
  return ParseFlatKeyed(*text)[key];
}

Result<> AddV2Memory(const std::string& dir, json& stats) {
  if (!ControlExists(dir, "memory.current")) return {};
  json& mem = stats["memory"];
  if (auto text = TRY(ReadOptional(dir, "memory.stat"))) {
    auto raw = ParseFlatKeyed(*text);
    PutNonZero(mem, "cache", raw["file"]);
    mem["raw"] = raw;
  }
  mem["usage"] = MemoryEntry(
      TRY(ReadUint(dir, "memory.current")), TRY(ReadUintOr0(dir, "memory.peak")),
      TRY(EventCount(dir, "memory.events", "max")), TRY(ReadUintOr0(dir, "memory.max")));
  if (ControlExists(dir, "memory.swap.current")) {
    mem["swap"] = MemoryEntry(TRY(ReadUint(dir, "memory.swap.current")),
                              TRY(ReadUintOr0(dir, "memory.swap.peak")),
                              TRY(EventCount(dir, "memory.swap.events", "max")),
                              TRY(ReadUintOr0(dir, "memory.swap.max")));
  }
  return {};
}

}  // namespace

nlohmann::json EmptyStats() {
  json zero_entry = {{"limit", 0}, {"failcnt", 0}};
  return {
      {"cpu", {{"usage", {{"kernel", 0}, {"user", 0}}}, {"throttling", json::object()}}},
      {"cpuset", json::object()},
      {"memory",
       {{"usage", zero_entry},
        {"swap", zero_entry},
        {"kernel", zero_entry},
        {"kernelTCP", zero_entry}}},
      {"pids", json::object()},
      {"blkio", json::object()},
      {"hugetlb", json::object()},
      {"intel_rdt", json::object()},
      {"network_interfaces", nullptr},
  };
}

nlohmann::json ParseBlkioFile(const std::string& text) {
  json entries = json::array();
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string_view> f = Split(TrimSpace(line), ' ');
    if (f.size() < 2 || f[0] == "Total") continue;
    std::vector<std::string_view> dev = Split(f[0], ':');
    auto major = ParseUint(dev[0]);
    auto minor = dev.size() == 2 ? ParseUint(dev[1]) : std::nullopt;
    auto value = ParseUint(f.back());
    if (!major || !minor || !value) continue;
    json e = json::object();
    PutNonZero(e, "major", *major);
    PutNonZero(e, "minor", *minor);
    if (f.size() == 3) e["op"] = std::string(f[1]);
    PutNonZero(e, "value", *value);
    entries.push_back(std::move(e));
  }
  return entries;
}

nlohmann::json ParseIoStat(const std::string& text) {
  // io.stat key -> (runc list, op)
  static constexpr std::tuple<std::string_view, const char*, const char*> kKeys[] = {
      {"rbytes", "ioServiceBytesRecursive", "Read"},
      {"wbytes", "ioServiceBytesRecursive", "Write"},
      {"dbytes", "ioServiceBytesRecursive", "Discard"},
      {"rios", "ioServicedRecursive", "Read"},
      {"wios", "ioServicedRecursive", "Write"},
      {"dios", "ioServicedRecursive", "Discard"}};
  json out = json::object();
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string_view> f = Split(TrimSpace(line), ' ');
    std::vector<std::string_view> dev = Split(f[0], ':');
    if (dev.size() != 2) continue;
    auto major = ParseUint(dev[0]);
    auto minor = ParseUint(dev[1]);
    if (!major || !minor) continue;
    for (size_t i = 1; i < f.size(); ++i) {
      size_t eq = f[i].find('=');
      if (eq == std::string_view::npos) continue;
      auto value = ParseUint(f[i].substr(eq + 1));
      for (auto [key, list, op] : kKeys) {
        if (f[i].substr(0, eq) != key || !value) continue;
        json e = {{"op", op}};
        PutNonZero(e, "major", *major);
        PutNonZero(e, "minor", *minor);
        PutNonZero(e, "value", *value);
        out[list].push_back(std::move(e));
      }
    }
  }
  return out;
}

Result<> AddV1Stats(const std::map<std::string, std::string>& paths,
                    const std::vector<std::string>& hugepage_sizes, long clock_ticks, json& stats) {
  TRY(AddV1Cpu(Lookup(paths, "cpu"), Lookup(paths, "cpuacct"), clock_ticks, stats));
  TRY(AddCpuset(Lookup(paths, "cpuset"), "cpuset.", stats));
  TRY(AddV1Memory(Lookup(paths, "memory"), stats));
  TRY(AddPids(Lookup(paths, "pids"), stats));
  TRY(AddV1Blkio(Lookup(paths, "blkio"), stats));
  TRY(AddV1Hugetlb(Lookup(paths, "hugetlb"), hugepage_sizes, stats));
  return {};
}

Result<> AddV2HugetlbStats(const std::string& dir, const std::vector<std::string>& sizes,
                           json& stats) {
  for (const std::string& size : sizes) {
    std::string p = "hugetlb." + size + ".";
    if (!ControlExists(dir, p + "current")) continue;
    json e = {{"failcnt", TRY(EventCount(dir, p + "events", "max"))}};
    PutNonZero(e, "usage", TRY(ReadUint(dir, p + "current")));
    stats["hugetlb"][size] = e;
  }
  return {};
}

Result<> AddV2Stats(const std::string& dir, const std::vector<std::string>& hugepage_sizes,
                    json& stats) {
  TRY(AddV2Cpu(dir, stats));
  TRY(AddCpuset(dir, "cpuset.", stats));
  TRY(AddV2Memory(dir, stats));
  TRY(AddPids(dir, stats));
  if (auto text = TRY(ReadOptional(dir, "io.stat"))) {
    json io = ParseIoStat(*text);
    for (auto& [key, list] : io.items()) stats["blkio"][key] = list;
  }
  TRY(AddV2HugetlbStats(dir, hugepage_sizes, stats));
  return {};
}

}  // namespace cocoon::cgroup
