// Tests for /proc/self/cgroup parsing and the plan of v1 cgroup mounts.
#include "rootfs/cgroup_mount.h"

#include <gtest/gtest.h>

namespace cocoon::rootfs {
namespace {

TEST(ProcCgroupTest, ParsesV1AndV2Lines) {
  auto cgroups = ParseProcCgroup("9:name=systemd:/\n4:memory:/a/b\n2:cpu,cpuacct:/c\n0::/u\n");
  ASSERT_TRUE(cgroups) << cgroups.error().message();
  ASSERT_EQ(cgroups->size(), 4u);
  EXPECT_EQ((*cgroups)[0].hierarchy, 9);
  EXPECT_EQ((*cgroups)[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ((*cgroups)[1].path, "/a/b");
  EXPECT_EQ((*cgroups)[2].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ((*cgroups)[3].hierarchy, 0);
  EXPECT_TRUE((*cgroups)[3].controllers.empty());
  EXPECT_EQ((*cgroups)[3].path, "/u");
}

TEST(ProcCgroupTest, MalformedLineIsAnError) {
  EXPECT_FALSE(ParseProcCgroup("memory:/a\n"));
  EXPECT_FALSE(ParseProcCgroup("x:memory:/a\n"));
}

// A hybrid host like the one these tests run on, with a co-mounted hierarchy added.
constexpr std::string_view kHybridMountInfo =
    "30 22 0:27 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "41 30 0:38 /outer /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";

TEST(PlanCgroupV1Test, OneBindPerV1Hierarchy) {
  auto mounts = ParseMountInfo(kHybridMountInfo);
  ASSERT_TRUE(mounts);
  auto cgroups = ParseProcCgroup("9:name=systemd:/\n8:pids:/outer/ctr\n4:memory:/pa/ctr\n2:cpu,cpuacct:/ctr\n0::/ctr\n");
  ASSERT_TRUE(cgroups);
  std::vector<CgroupV1Mount> plan = PlanCgroupV1(*mounts, *cgroups, "/sys/fs/cgroup/");
  ASSERT_EQ(plan.size(), 4u);  // the cgroup2 mount of the hybrid layout is left out
  EXPECT_EQ(plan[0].source, "/sys/fs/cgroup/cpu,cpuacct/ctr");
  EXPECT_EQ(plan[0].dest, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(plan[0].subsystems, "cpu,cpuacct");
  EXPECT_EQ(plan[1].source, "/sys/fs/cgroup/memory/pa/ctr");
  EXPECT_EQ(plan[2].source, "/sys/fs/cgroup/systemd");
  EXPECT_EQ(plan[2].subsystems, "name=systemd");
  // The pids mount shows only /outer of its hierarchy: the path is taken relative to it.
  EXPECT_EQ(plan[3].source, "/sys/fs/cgroup/pids/ctr");
  EXPECT_EQ(plan[3].dest, "/sys/fs/cgroup/pids");
}

TEST(PlanCgroupV1Test, HierarchyMountedTwiceIsPlannedOnce) {
  auto mounts = ParseMountInfo(
      "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
      "50 49 0:31 / /other/memory rw - cgroup cgroup rw,memory\n");
  auto cgroups = ParseProcCgroup("4:memory:/ctr\n");
  ASSERT_TRUE(mounts && cgroups);
  std::vector<CgroupV1Mount> plan = PlanCgroupV1(*mounts, *cgroups, "/sys/fs/cgroup");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].source, "/sys/fs/cgroup/memory/ctr");
}

TEST(PlanCgroupV1Test, NoSourceForCgroupsOutsideTheMountRoot) {
  auto mounts = ParseMountInfo(kHybridMountInfo);
  auto cgroups = ParseProcCgroup("8:pids:/elsewhere\n");
  ASSERT_TRUE(mounts && cgroups);
  std::vector<CgroupV1Mount> plan = PlanCgroupV1(*mounts, *cgroups, "/sys/fs/cgroup");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].source, "");
  EXPECT_EQ(plan[0].dest, "/sys/fs/cgroup/pids");
  EXPECT_EQ(plan[0].subsystems, "pids");
}

TEST(ComountLinksTest, OnlyForCoMountedHierarchies) {
  EXPECT_EQ(ComountLinks("cpu,cpuacct"), (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_TRUE(ComountLinks("memory").empty());
}

}  // namespace
}  // namespace cocoon::rootfs
