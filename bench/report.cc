// Statistics, the text table and the JSON form of the benchmark results.
#include "bench/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cocoon::bench {
namespace {

constexpr std::array<std::string_view, 5> kPhaseNames = {"run", "create", "start", "delete",
                                                         "exec"};
// Ratios are given against these two, as issue 2 asks.
constexpr std::array<std::string_view, 2> kReferences = {"crun", "runc"};

const RuntimeResult* FindRuntime(const BenchReport& report, std::string_view name) {
  for (const RuntimeResult& runtime : report.runtimes)
    if (runtime.name == name) return &runtime;
  return nullptr;
}

const PhaseResult* FindPhase(const RuntimeResult& runtime, Phase phase) {
  auto it = runtime.phases.find(phase);
  return it == runtime.phases.end() || it->second.wall_ms.empty() ? nullptr : &it->second;
}

template <typename Metric>
std::optional<double> Ratio(const BenchReport& report, const RuntimeResult& runtime, Phase phase,
                            std::string_view reference, Metric metric) {
  const RuntimeResult* other = FindRuntime(report, reference);
  if (!other) return std::nullopt;
  const PhaseResult* mine = FindPhase(runtime, phase);
  const PhaseResult* theirs = FindPhase(*other, phase);
  if (!mine || !theirs) return std::nullopt;
  double denominator = metric(Summarize(*theirs));
  if (denominator <= 0) return std::nullopt;
  return metric(Summarize(*mine)) / denominator;
}

std::string FormatRatio(std::optional<double> ratio) {
  return ratio ? fmt::format("{:.2f}x", *ratio) : "-";
}

nlohmann::json RatioJson(std::optional<double> ratio) {
  return ratio ? nlohmann::json(std::round(*ratio * 1000) / 1000) : nlohmann::json(nullptr);
}

double Round3(double value) { return std::round(value * 1000) / 1000; }

std::string FormatRow(std::string_view phase, std::string_view runtime, const Summary& s,
                      const std::vector<std::string>& ratios) {
  std::string row = fmt::format(
      "{:<7} {:<8} {:>3} {:>9.2f} {:>9.2f} {:>9.2f} {:>8.2f} {:>9.0f} {:>9}", phase, runtime,
      s.count, s.median_ms, s.p90_ms, s.min_ms, s.median_cpu_ms, s.median_rss_kib, s.max_rss_kib);
  for (const std::string& ratio : ratios) row += fmt::format(" {:>9}", ratio);
  return row + "\n";
}

std::string FormatTargets(const BenchReport& report) {
  const RuntimeResult* cocoon = FindRuntime(report, "cocoon");
  if (!cocoon) return "";
  std::string out;
  auto time = TimeRatio(report, *cocoon, Phase::kRun, "crun");
  out += time ? fmt::format("target run time <= crun:  {:.2f}x  {}\n", *time,
                            *time <= 1.0 ? "MET" : "MISSED")
              : "target run time <= crun:  not measured\n";
  auto rss = RssRatio(report, *cocoon, Phase::kRun, "runc");
  out += rss ? fmt::format("target run peak RSS < runc: {:.2f}x  {}\n", *rss,
                           *rss < 1.0 ? "MET" : "MISSED")
             : "target run peak RSS < runc: not measured\n";
  return out;
}

nlohmann::json PhaseJson(const BenchReport& report, const RuntimeResult* runtime,
                         const PhaseResult& result, Phase phase) {
  Summary s = Summarize(result);
  nlohmann::json out = {
      {"count", s.count},
      {"median_ms", Round3(s.median_ms)},
      {"p90_ms", Round3(s.p90_ms)},
      {"min_ms", Round3(s.min_ms)},
      {"max_ms", Round3(s.max_ms)},
      {"median_cpu_ms", Round3(s.median_cpu_ms)},
      {"median_max_rss_kib", s.median_rss_kib},
      {"max_max_rss_kib", s.max_rss_kib},
      {"samples_ms", nlohmann::json::array()},
      {"samples_max_rss_kib", result.max_rss_kib},
  };
  for (double ms : result.wall_ms) out["samples_ms"].push_back(Round3(ms));
  out["samples_cpu_ms"] = nlohmann::json::array();
  for (double ms : result.cpu_ms) out["samples_cpu_ms"].push_back(Round3(ms));
  if (!result.error.empty()) out["error"] = result.error;
  if (runtime) {
    for (std::string_view reference : kReferences) {
      std::string key(reference);
      out["time_ratio_vs"][key] = RatioJson(TimeRatio(report, *runtime, phase, reference));
      out["rss_ratio_vs"][key] = RatioJson(RssRatio(report, *runtime, phase, reference));
    }
  }
  return out;
}

}  // namespace

std::string_view PhaseName(Phase phase) { return kPhaseNames.at(static_cast<size_t>(phase)); }

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

Summary Summarize(const PhaseResult& result) {
  Summary s;
  s.count = result.wall_ms.size();
  if (s.count == 0) return s;
  s.median_ms = Median(result.wall_ms);
  s.p90_ms = Percentile(result.wall_ms, 0.9);
  auto [min, max] = std::minmax_element(result.wall_ms.begin(), result.wall_ms.end());
  s.median_cpu_ms = Median(result.cpu_ms);
  s.min_ms = *min;
  s.max_ms = *max;
  std::vector<double> rss(result.max_rss_kib.begin(), result.max_rss_kib.end());
  s.median_rss_kib = Median(rss);
  if (!result.max_rss_kib.empty())
    s.max_rss_kib = *std::max_element(result.max_rss_kib.begin(), result.max_rss_kib.end());
  return s;
}

std::optional<double> TimeRatio(const BenchReport& report, const RuntimeResult& runtime,
                                Phase phase, std::string_view reference) {
  return Ratio(report, runtime, phase, reference, [](const Summary& s) { return s.median_ms; });
}

std::optional<double> RssRatio(const BenchReport& report, const RuntimeResult& runtime, Phase phase,
                               std::string_view reference) {
  return Ratio(report, runtime, phase, reference,
               [](const Summary& s) { return s.median_rss_kib; });
}

std::string FormatTable(const BenchReport& report) {
  std::string out = fmt::format(
      "Lifecycle of a busybox /bin/true container: {} iterations (+{} warm-up), ociVersion {}\n"
      "host {}, cgroups {}, {}\n\n",
      report.iterations, report.warmup, report.oci_version, report.host, report.cgroup_layout,
      report.mount_ns_mode);
  out += fmt::format("{:<7} {:<8} {:>3} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9}", "phase", "runtime",
                     "n", "median ms", "p90 ms", "min ms", "cpu ms", "RSS KiB", "RSS max");
  for (std::string_view reference : kReferences)
    out += fmt::format(" {:>9}", fmt::format("t/{}", reference));
  for (std::string_view reference : kReferences)
    out += fmt::format(" {:>9}", fmt::format("rss/{}", reference));
  out += "\n";
  for (Phase phase : kPhases) {
    for (const RuntimeResult& runtime : report.runtimes) {
      const PhaseResult* result = FindPhase(runtime, phase);
      if (!result) continue;
      std::vector<std::string> ratios;
      for (std::string_view reference : kReferences)
        ratios.push_back(FormatRatio(TimeRatio(report, runtime, phase, reference)));
      for (std::string_view reference : kReferences)
        ratios.push_back(FormatRatio(RssRatio(report, runtime, phase, reference)));
      out += FormatRow(PhaseName(phase), runtime.name, Summarize(*result), ratios);
    }
  }
  if (!report.wrapper.wall_ms.empty())
    out += FormatRow("wrapper", "-", Summarize(report.wrapper), {});
  out += "\n";
  for (const RuntimeResult& runtime : report.runtimes) {
    out += fmt::format("{:<7} {} ({}): {}{}\n", runtime.name,
                       runtime.version.empty() ? "?" : runtime.version,
                       runtime.binary.empty() ? "not found" : runtime.binary, runtime.status,
                       runtime.error.empty() ? "" : ": " + runtime.error);
    for (const auto& [phase, result] : runtime.phases) {
      if (!result.error.empty())
        out += fmt::format("        {} not measured: {}\n", PhaseName(phase), result.error);
    }
  }
  out += "\n";
  for (const std::string& note : report.notes) out += fmt::format("* {}\n", note);
  out += FormatTargets(report);
  if (report.interrupted) out += "INTERRUPTED: partial results\n";
  return out;
}

nlohmann::json ToJson(const BenchReport& report) {
  nlohmann::json out = {
      {"benchmark", "lifecycle"},
      {"iterations", report.iterations},
      {"warmup", report.warmup},
      {"host", report.host},
      {"cgroup_layout", report.cgroup_layout},
      {"oci_version", report.oci_version},
      {"mount_namespace", report.mount_ns_mode},
      {"notes", report.notes},
      {"interrupted", report.interrupted},
      {"wrapper", PhaseJson(report, nullptr, report.wrapper, Phase::kRun)},
      {"runtimes", nlohmann::json::object()},
  };
  for (const RuntimeResult& runtime : report.runtimes) {
    nlohmann::json entry = {{"binary", runtime.binary},
                            {"version", runtime.version},
                            {"status", runtime.status},
                            {"phases", nlohmann::json::object()}};
    if (!runtime.error.empty()) entry["error"] = runtime.error;
    for (const auto& [phase, result] : runtime.phases)
      entry["phases"][std::string(PhaseName(phase))] = PhaseJson(report, &runtime, result, phase);
    out["runtimes"][runtime.name] = std::move(entry);
  }
  return out;
}

}  // namespace cocoon::bench
