// Cgroup limits are enforced: a memory limit OOM-kills, a pids limit stops fork.
#include "harness.h"

namespace cocoon::integration {
namespace {

using LimitsTest = RuntimeTest;

TEST_F(LimitsTest, MemoryLimitOomKills) {
  constexpr int64_t kLimit = 32 << 20;
  config()["linux"]["resources"]["memory"] = {{"limit", kLimit}, {"swap", kLimit}};
  // dd fills a 64 MiB buffer from /dev/zero, touching every page of it.
  RunResult r = RunContainer({"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  EXPECT_EQ(r.status, 137) << r.Describe();
}

TEST_F(LimitsTest, WithinMemoryLimitRunsFine) {
  constexpr int64_t kLimit = 64 << 20;
  config()["linux"]["resources"]["memory"] = {{"limit", kLimit}, {"swap", kLimit}};
  RunResult r = RunContainer({"dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1"});
  EXPECT_EQ(r.status, 0) << r.Describe();
}

TEST_F(LimitsTest, PidsLimitStopsFork) {
  config()["linux"]["resources"]["pids"] = {{"limit", 5}};
  // The shell is pid 1: when it gives up, the kernel kills the sleeps.
  RunResult r = Sh("i=0; while [ $i -lt 10 ]; do sleep 1000 & i=$((i+1)); done; echo all-forked");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
  EXPECT_NE(r.err.find("can't fork: Resource temporarily unavailable"), std::string::npos)
      << r.Describe();
}

}  // namespace
}  // namespace cocoon::integration
