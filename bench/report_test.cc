// Tests for the benchmark's statistics, ratios and JSON report (no timing).
#include "bench/report.h"

#include <gtest/gtest.h>

namespace cocoon::bench {
namespace {

PhaseResult Samples(std::vector<double> ms, std::vector<long> rss) {
  PhaseResult result;
  result.wall_ms = std::move(ms);
  result.max_rss_kib = std::move(rss);
  return result;
}

RuntimeResult Runtime(std::string name, PhaseResult run) {
  RuntimeResult runtime;
  runtime.name = std::move(name);
  runtime.status = "ok";
  runtime.phases[Phase::kRun] = std::move(run);
  return runtime;
}

TEST(StatsTest, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(Median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(Median({}), 0);
}

TEST(StatsTest, P90IsNearestRank) {
  std::vector<double> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_DOUBLE_EQ(Percentile(ten, 0.9), 9);  // ceil(9.0) = 9th smallest
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_DOUBLE_EQ(Percentile(twenty, 0.9), 18);
  EXPECT_DOUBLE_EQ(Percentile({5}, 0.9), 5);
}

TEST(StatsTest, SummarizeCoversTimeAndMemory) {
  Summary s = Summarize(Samples({2, 4, 6}, {100, 300, 200}));
  EXPECT_EQ(s.count, 3u);
  EXPECT_DOUBLE_EQ(s.median_ms, 4);
  EXPECT_DOUBLE_EQ(s.min_ms, 2);
  EXPECT_DOUBLE_EQ(s.max_ms, 6);
  EXPECT_DOUBLE_EQ(s.median_rss_kib, 200);
  EXPECT_EQ(s.max_rss_kib, 300);
  EXPECT_EQ(Summarize(PhaseResult{}).count, 0u);
}

TEST(ReportTest, RatiosAgainstCrunAndRunc) {
  BenchReport report;
  report.runtimes.push_back(Runtime("cocoon", Samples({5, 5}, {1000, 1000})));
  report.runtimes.push_back(Runtime("crun", Samples({10, 10}, {2000, 2000})));
  report.runtimes.push_back(Runtime("runc", Samples({20, 20}, {4000, 4000})));
  const RuntimeResult& cocoon = report.runtimes[0];
  EXPECT_DOUBLE_EQ(*TimeRatio(report, cocoon, Phase::kRun, "crun"), 0.5);
  EXPECT_DOUBLE_EQ(*TimeRatio(report, cocoon, Phase::kRun, "runc"), 0.25);
  EXPECT_DOUBLE_EQ(*RssRatio(report, cocoon, Phase::kRun, "runc"), 0.25);
  EXPECT_FALSE(TimeRatio(report, cocoon, Phase::kExec, "crun"));  // not measured
  EXPECT_FALSE(TimeRatio(report, cocoon, Phase::kRun, "youki"));  // not in the run

  std::string table = FormatTable(report);
  EXPECT_NE(table.find("0.50x"), std::string::npos) << table;
  EXPECT_NE(table.find("target run time <= crun:  0.50x  MET"), std::string::npos) << table;
}

TEST(ReportTest, JsonHasSamplesErrorsAndMissingRuntimes) {
  BenchReport report;
  report.iterations = 2;
  report.runtimes.push_back(Runtime("runc", Samples({1.5, 2.5}, {100, 200})));
  report.runtimes[0].phases[Phase::kExec].error = "check: exec failed";
  RuntimeResult missing;
  missing.name = "cocoon";
  missing.status = "missing";
  missing.error = "cocoon: not found";
  report.runtimes.push_back(missing);

  nlohmann::json json = ToJson(report);
  const auto& run = json["runtimes"]["runc"]["phases"]["run"];
  EXPECT_EQ(run["count"], 2);
  EXPECT_DOUBLE_EQ(run["median_ms"].get<double>(), 2.0);
  EXPECT_EQ(run["samples_ms"].size(), 2u);
  EXPECT_TRUE(run["time_ratio_vs"]["crun"].is_null());
  EXPECT_DOUBLE_EQ(run["time_ratio_vs"]["runc"].get<double>(), 1.0);
  EXPECT_EQ(json["runtimes"]["runc"]["phases"]["exec"]["error"], "check: exec failed");
  EXPECT_EQ(json["runtimes"]["cocoon"]["status"], "missing");
  EXPECT_NE(FormatTable(report).find("cocoon"), std::string::npos);
}

}  // namespace
}  // namespace cocoon::bench
