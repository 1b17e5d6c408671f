// Statistics parsing from fixture cgroup files, in runc's JSON shapes.
#include "cgroup/stats.h"

#include <gtest/gtest.h>

#include "cgroup/fs.h"
#include "testdata.h"

namespace cocoon::cgroup {
namespace {

using nlohmann::json;
using testing::TempDir;

TEST(StatsTest, EmptyStatsHasRuncMembers) {
  json s = EmptyStats();
  for (const char* key : {"cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_TRUE(s["network_interfaces"].is_null());
  EXPECT_EQ(s["memory"]["usage"]["limit"], 0);
}

TEST(StatsTest, V1) {
  TempDir t;
  t.Put("cpuacct/cpuacct.usage", "3000\n");
  t.Put("cpuacct/cpuacct.usage_percpu", "1000 2000 \n");
  t.Put("cpuacct/cpuacct.usage_percpu_sys", "10 20\n");
  t.Put("cpuacct/cpuacct.usage_percpu_user", "990 1980\n");
  t.Put("cpuacct/cpuacct.stat", "user 5\nsystem 2\n");
  t.Put("cpu/cpu.stat", "nr_periods 10\nnr_throttled 3\nthrottled_time 777\n");
  t.Put("cpuset/cpuset.cpus", "0-1,3\n");
  t.Put("cpuset/cpuset.mems", "0\n");
  t.Put("cpuset/cpuset.cpu_exclusive", "0\n");
  t.Put("cpuset/cpuset.sched_relax_domain_level", "-1\n");
  t.Put("memory/memory.stat", "cache 4096\nrss 8192\n");
  t.Put("memory/memory.usage_in_bytes", "12288\n");
  t.Put("memory/memory.max_usage_in_bytes", "20000\n");
  t.Put("memory/memory.failcnt", "2\n");
  t.Put("memory/memory.limit_in_bytes", "1048576\n");
  t.Put("memory/memory.memsw.usage_in_bytes", "12288\n");
  t.Put("memory/memory.memsw.limit_in_bytes", "2097152\n");
  t.Put("memory/memory.memsw.failcnt", "0\n");
  t.Put("pids/pids.current", "4\n");
  t.Put("pids/pids.max", "max\n");
  t.Put("blkio/blkio.throttle.io_service_bytes_recursive",
        "8:0 Read 100\n8:0 Write 200\n8:0 Total 300\nTotal 300\n");
  t.Put("blkio/blkio.throttle.io_serviced_recursive", "8:0 Read 1\n8:0 Write 0\nTotal 1\n");
  t.Put("hugetlb/hugetlb.2MB.usage_in_bytes", "2097152\n");
  t.Put("hugetlb/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
  t.Put("hugetlb/hugetlb.2MB.failcnt", "1\n");
  std::map<std::string, std::string> paths;
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "pids", "blkio", "hugetlb"})
    paths[c] = t.path() + "/" + c;

  json s = EmptyStats();
  auto r = AddV1Stats(paths, {"2MB", "1GB"}, 100, s);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(s["cpu"]["usage"]["total"], 3000);
  EXPECT_EQ(s["cpu"]["usage"]["percpu"], json({1000, 2000}));
  EXPECT_EQ(s["cpu"]["usage"]["percpu_kernel"], json({10, 20}));
  EXPECT_EQ(s["cpu"]["usage"]["percpu_user"], json({990, 1980}));
  EXPECT_EQ(s["cpu"]["usage"]["user"], 50000000);  // 5 ticks of 10 ms
  EXPECT_EQ(s["cpu"]["usage"]["kernel"], 20000000);
  EXPECT_EQ(s["cpu"]["throttling"],
            json({{"periods", 10}, {"throttledPeriods", 3}, {"throttledTime", 777}}));
  EXPECT_EQ(s["cpuset"]["cpus"], json({0, 1, 3}));
  EXPECT_EQ(s["cpuset"]["mems"], json({0}));
  EXPECT_EQ(s["cpuset"]["sched_relax_domain_level"], -1);
  EXPECT_EQ(s["memory"]["cache"], 4096);
  EXPECT_EQ(s["memory"]["raw"]["rss"], 8192);
  EXPECT_EQ(s["memory"]["usage"],
            json({{"usage", 12288}, {"max", 20000}, {"failcnt", 2}, {"limit", 1048576}}));
  EXPECT_EQ(s["memory"]["swap"]["limit"], 2097152);
  EXPECT_EQ(s["memory"]["kernel"], json({{"limit", 0}, {"failcnt", 0}}));  // files absent
  EXPECT_EQ(s["pids"], json({{"current", 4}}));                            // "max" is no limit
  EXPECT_EQ(
      s["blkio"]["ioServiceBytesRecursive"],
      json::parse(R"([{"major":8,"op":"Read","value":100},{"major":8,"op":"Write","value":200},
                            {"major":8,"op":"Total","value":300}])"));
  EXPECT_EQ(s["blkio"]["ioServicedRecursive"].size(), 2u);
  EXPECT_EQ(s["hugetlb"], json::parse(R"({"2MB":{"usage":2097152,"max":4194304,"failcnt":1}})"));
}

TEST(StatsTest, V1MissingControllersAreSkipped) {
  json s = EmptyStats();
  ASSERT_TRUE(AddV1Stats({}, {"2MB"}, 100, s));
  EXPECT_EQ(s, EmptyStats());
}

TEST(StatsTest, V1BadNumberIsAnErrorNamingTheFile) {
  TempDir t;
  t.Put("pids/pids.current", "lots\n");
  json s = EmptyStats();
  auto r = AddV1Stats({{"pids", t.path() + "/pids"}}, {}, 100, s);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("pids.current"), std::string::npos) << r.error().message();
}

TEST(StatsTest, V2) {
  TempDir t;
  t.Put("cpu.stat",
        "usage_usec 300\nuser_usec 200\nsystem_usec 100\nnr_periods 4\nnr_throttled "
        "1\nthrottled_usec 9\n");
  t.Put("cpuset.cpus.effective", "0-1\n");
  t.Put("memory.current", "8192\n");
  t.Put("memory.max", "max\n");
  t.Put("memory.stat", "anon 4096\nfile 1024\n");
  t.Put("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  t.Put("memory.swap.current", "0\n");
  t.Put("memory.swap.max", "1024\n");
  t.Put("pids.current", "2\n");
  t.Put("pids.max", "10\n");
  t.Put("io.stat", "8:16 rbytes=1024 wbytes=0 rios=2 wios=0 dbytes=0 dios=0\n");
  t.Put("hugetlb.2MB.current", "0\n");
  t.Put("hugetlb.2MB.events", "max 5\n");

  json s = EmptyStats();
  auto r = AddV2Stats(t.path(), {"2MB"}, s);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(s["cpu"]["usage"], json({{"total", 300000}, {"user", 200000}, {"kernel", 100000}}));
  EXPECT_EQ(s["cpu"]["throttling"],
            json({{"periods", 4}, {"throttledPeriods", 1}, {"throttledTime", 9000}}));
  EXPECT_EQ(s["cpuset"]["cpus"], json({0, 1}));
  EXPECT_EQ(s["memory"]["cache"], 1024);
  EXPECT_EQ(s["memory"]["usage"]["usage"], 8192);
  EXPECT_EQ(s["memory"]["usage"]["limit"], UINT64_MAX);
  EXPECT_EQ(s["memory"]["usage"]["failcnt"], 3);
  EXPECT_EQ(s["memory"]["swap"]["limit"], 1024);
  EXPECT_EQ(s["pids"], json({{"current", 2}, {"limit", 10}}));
  EXPECT_EQ(
      s["blkio"]["ioServiceBytesRecursive"],
      json::parse(
          R"([{"major":8,"minor":16,"op":"Read","value":1024},{"major":8,"minor":16,"op":"Write"},
                            {"major":8,"minor":16,"op":"Discard"}])"));
  EXPECT_EQ(s["blkio"]["ioServicedRecursive"][0]["value"], 2);
  EXPECT_EQ(s["hugetlb"], json::parse(R"({"2MB":{"failcnt":5}})"));
}

TEST(FsTest, ParsersHandleEdgeCases) {
  EXPECT_EQ(ParseUint("max"), UINT64_MAX);
  EXPECT_EQ(ParseUint(" 12\n"), 12u);
  EXPECT_FALSE(ParseUint("12x"));
  EXPECT_FALSE(ParseUint(""));
  EXPECT_EQ(*ParseCpuList("0-2,4"), (std::vector<uint16_t>{0, 1, 2, 4}));
  EXPECT_TRUE(ParseCpuList("")->empty());
  EXPECT_FALSE(ParseCpuList("3-1"));
  auto kv = ParseFlatKeyed("a 1\nb x\nc 3");
  EXPECT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv["c"], 3u);
}

TEST(FsTest, MakeAndRemoveCgroupDirsReportsWhatItCreated) {
  TempDir t;
  std::string leaf = t.path() + "/a/b/c";
  auto top = MakeCgroupDirs(leaf);
  ASSERT_TRUE(top) << top.error().message();
  EXPECT_EQ(*top, t.path() + "/a");
  EXPECT_EQ(*MakeCgroupDirs(leaf), "");        // already there
  ASSERT_TRUE(MakeCgroupDirs(leaf + "/sub"));  // a sub-cgroup the container made
  ASSERT_TRUE(RemoveCgroupDirs(leaf, *top));
  EXPECT_FALSE(PathExists(t.path() + "/a"));
}

TEST(FsTest, RemoveKeepsSharedParents) {
  TempDir t;
  auto top = MakeCgroupDirs(t.path() + "/p/c1");
  ASSERT_TRUE(MakeCgroupDirs(t.path() + "/p/c2"));
  ASSERT_TRUE(RemoveCgroupDirs(t.path() + "/p/c1", *top));
  EXPECT_FALSE(PathExists(t.path() + "/p/c1"));
  EXPECT_TRUE(PathExists(t.path() + "/p/c2"));
}

}  // namespace
}  // namespace cocoon::cgroup
