// Benchmark results: samples per runtime and phase, their statistics, the
// text table and the JSON file (bench/results/lifecycle.json).
#pragma once

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cocoon::bench {

// The timed commands, in the order they appear in the table.
enum class Phase { kRun, kCreate, kStart, kDelete, kExec };
inline constexpr std::array<Phase, 5> kPhases = {Phase::kRun, Phase::kCreate, Phase::kStart,
                                                 Phase::kDelete, Phase::kExec};
std::string_view PhaseName(Phase phase);

struct PhaseResult {
  std::vector<double> wall_ms;
  std::vector<long> max_rss_kib;
  std::vector<double> cpu_ms;  // user + system time of the same processes
  std::string error;           // why the phase was not (fully) measured; empty if it was
};

struct Summary {
  size_t count = 0;
  double median_ms = 0, p90_ms = 0, min_ms = 0, max_ms = 0;
  double median_cpu_ms = 0;
  double median_rss_kib = 0;
  long max_rss_kib = 0;
};

// Median (mean of the middle two for even counts) and p90 (nearest rank:
// the ceil(0.9 n)-th smallest). Empty input gives count 0.
double Median(std::vector<double> values);
double Percentile(std::vector<double> values, double fraction);
Summary Summarize(const PhaseResult& result);

struct RuntimeResult {
  std::string name, binary, version;
  std::string status;  // "ok", "partial", "failed", "missing", "interrupted"
  std::string error;   // for "failed" and "missing"
  std::map<Phase, PhaseResult> phases;
};

struct BenchReport {
  int iterations = 0, warmup = 0;
  std::string host, cgroup_layout, oci_version, mount_ns_mode;
  std::vector<std::string> notes;  // printed under the table and stored in JSON
  PhaseResult wrapper;             // fork + the same child set-up + exec /bin/true
  std::vector<RuntimeResult> runtimes;
  bool interrupted = false;
};

// Median of `name`'s phase divided by `reference`'s, if both were measured.
std::optional<double> TimeRatio(const BenchReport& report, const RuntimeResult& runtime,
                                Phase phase, std::string_view reference);
std::optional<double> RssRatio(const BenchReport& report, const RuntimeResult& runtime, Phase phase,
                               std::string_view reference);

std::string FormatTable(const BenchReport& report);
nlohmann::json ToJson(const BenchReport& report);

}  // namespace cocoon::bench
