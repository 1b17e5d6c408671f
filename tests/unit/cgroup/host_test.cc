// Layout detection and cgroup path resolution for v1, v2 and hybrid hosts.
#include "cgroup/host.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testdata.h"

namespace cocoon::cgroup {
namespace {

using ::testing::ElementsAre;
using testing::kHybridMountInfo;
using testing::kProcCgroup;
using testing::kV1MountInfo;
using testing::kV2MountInfo;
using ::testing::Pair;

HostInfo Host(const char* mountinfo) {
  HostInfo host;
  host.mounts = *ParseMountInfo(mountinfo);
  host.own = ParseProcCgroup(kProcCgroup);
  return host;
}

TEST(MountInfoTest, KeepsCgroupMountsWithTheirControllers) {
  auto mounts = ParseMountInfo(kHybridMountInfo);
  ASSERT_TRUE(mounts) << mounts.error().message();
  ASSERT_EQ(mounts->size(), 8u);
  EXPECT_EQ((*mounts)[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_THAT((*mounts)[0].controllers, ElementsAre("cpu", "cpuacct"));
  EXPECT_THAT((*mounts)[1].controllers, ElementsAre("cpuset"));  // clone_children is an option
  EXPECT_THAT((*mounts)[6].controllers, ElementsAre("name=systemd"));
  EXPECT_TRUE((*mounts)[7].v2);
  EXPECT_EQ((*mounts)[7].mount_point, "/sys/fs/cgroup/unified");
}

TEST(MountInfoTest, UnescapesPathsAndSkipsDuplicates) {
  auto mounts = ParseMountInfo(
      "1 0 0:1 / /a\\040b rw - cgroup2 cgroup2 rw\n"
      "2 0 0:1 / /c rw - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts);
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].mount_point, "/a b");
}

TEST(MountInfoTest, RejectsMalformedLines) { EXPECT_FALSE(ParseMountInfo("1 2 3\n")); }

TEST(ProcCgroupTest, SplitsCoMountedControllers) {
  auto own = ParseProcCgroup(kProcCgroup);
  EXPECT_EQ(own["cpu"], "/user.slice");
  EXPECT_EQ(own["cpuacct"], "/user.slice");
  EXPECT_EQ(own["name=systemd"], "/user.slice/session-1.scope");
  EXPECT_EQ(own[""], "/user.slice/session-1.scope");
}

TEST(LayoutTest, DetectsEachLayout) {
  EXPECT_EQ(*DetectLayout(Host(kHybridMountInfo)), Layout::kHybrid);
  EXPECT_EQ(*DetectLayout(Host(kV1MountInfo)), Layout::kV1);
  EXPECT_EQ(*DetectLayout(Host(kV2MountInfo)), Layout::kV2);
  EXPECT_FALSE(DetectLayout(HostInfo{}));
}

TEST(LayoutTest, NamedHierarchyAloneIsNotV1) {
  // systemd's "unified" layout keeps a name=systemd v1 hierarchy for itself.
  std::string text = std::string(kV2MountInfo) +
                     "39 30 0:36 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n";
  HostInfo host;
  host.mounts = *ParseMountInfo(text);
  EXPECT_EQ(*DetectLayout(host), Layout::kV2);
}

TEST(LayoutTest, NamesRoundTrip) {
  for (Layout l : {Layout::kV1, Layout::kV2, Layout::kHybrid})
    EXPECT_EQ(*ParseLayout(LayoutName(l)), l);
  EXPECT_FALSE(ParseLayout("v3"));
}

TEST(PathTest, CleanPathNeverClimbsOut) {
  EXPECT_EQ(CleanPath("../../x"), "x");
  EXPECT_EQ(CleanPath("/a/../../b/./c/"), "/b/c");
  EXPECT_EQ(CleanPath("a//b"), "a/b");
  EXPECT_EQ(CleanPath(""), "");
}

TEST(PathTest, InnerPathDefaultsToTheContainerId) {
  EXPECT_EQ(InnerPath("", "abc"), "abc");
  EXPECT_EQ(InnerPath("/x/y", "abc"), "/x/y");
  EXPECT_EQ(InnerPath("x/../../y", "abc"), "y");
}

TEST(PathTest, V1AbsoluteIsUnderEachMount) {
  auto paths = ResolveV1Paths(Host(kV1MountInfo), "/cocoon/c1");
  ASSERT_TRUE(paths);
  EXPECT_THAT(*paths, ElementsAre(Pair("cpu", "/sys/fs/cgroup/cpu,cpuacct/cocoon/c1"),
                                  Pair("cpuacct", "/sys/fs/cgroup/cpu,cpuacct/cocoon/c1"),
                                  Pair("memory", "/sys/fs/cgroup/memory/cocoon/c1"),
                                  Pair("name=systemd", "/sys/fs/cgroup/systemd/cocoon/c1"),
                                  Pair("pids", "/sys/fs/cgroup/pids/cocoon/c1")));
}

TEST(PathTest, V1RelativeIsUnderOwnCgroup) {
  auto paths = ResolveV1Paths(Host(kV1MountInfo), "c1");
  ASSERT_TRUE(paths);
  EXPECT_EQ((*paths)["memory"], "/sys/fs/cgroup/memory/user.slice/c1");
  EXPECT_EQ((*paths)["cpu"], "/sys/fs/cgroup/cpu,cpuacct/user.slice/c1");
  EXPECT_EQ((*paths)["pids"], "/sys/fs/cgroup/pids/c1");  // not in /proc/self/cgroup: the root
}

TEST(PathTest, V1RelativeInsideAContainerStripsTheMountRoot) {
  // Inside a container the hierarchy is mounted from the container's own cgroup.
  HostInfo host;
  host.mounts =
      *ParseMountInfo("1 0 0:1 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  host.own = ParseProcCgroup("4:memory:/docker/abc/sub\n");
  EXPECT_EQ((*ResolveV1Paths(host, "c1"))["memory"], "/sys/fs/cgroup/memory/sub/c1");
}

TEST(PathTest, V2AbsoluteAndRelative) {
  HostInfo host = Host(kV2MountInfo);
  EXPECT_EQ(*ResolveV2Path(host, "/cocoon/c1"), "/sys/fs/cgroup/cocoon/c1");
  // Relative: next to our own cgroup (under its parent), which holds processes.
  EXPECT_EQ(*ResolveV2Path(host, "c1"), "/sys/fs/cgroup/user.slice/c1");
  EXPECT_FALSE(ResolveV2Path(Host(kV1MountInfo), "c1"));
}

TEST(PathTest, HybridV2Tree) {
  EXPECT_EQ(*ResolveV2Path(Host(kHybridMountInfo), "/c1"), "/sys/fs/cgroup/unified/c1");
}

}  // namespace
}  // namespace cocoon::cgroup
