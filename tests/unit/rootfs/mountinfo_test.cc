// Tests for the mountinfo parser and the mount lookup.
#include "rootfs/mountinfo.h"

#include <gtest/gtest.h>

namespace cocoon::rootfs {
namespace {

constexpr std::string_view kSample =
    "26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
    "21 26 0:20 / /proc rw,relatime - proc proc rw\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid master:5 shared:7 - cgroup cgroup rw,cpu,cpuacct\n"
    "40 26 0:40 /sub/dir /mnt/with\\040space rw - tmpfs my\\011src rw,size=4k\n";

TEST(MountInfoTest, ParsesFields) {
  auto mounts = ParseMountInfo(kSample);
  ASSERT_TRUE(mounts) << mounts.error().message();
  ASSERT_EQ(mounts->size(), 4u);
  const MountInfo& root = (*mounts)[0];
  EXPECT_EQ(root.id, 26);
  EXPECT_EQ(root.parent_id, 1);
  EXPECT_EQ(root.mount_point, "/");
  EXPECT_EQ(root.fs_type, "ext4");
  EXPECT_EQ(root.source, "/dev/vda");
  EXPECT_EQ(root.super_options, "rw,discard");
  EXPECT_TRUE(root.IsShared());
  EXPECT_FALSE((*mounts)[1].IsShared());

  const MountInfo& cg = (*mounts)[2];
  EXPECT_EQ(cg.optional, (std::vector<std::string>{"master:5", "shared:7"}));
  EXPECT_EQ(cg.options, "rw,nosuid");
  EXPECT_EQ(cg.super_options, "rw,cpu,cpuacct");
}

TEST(MountInfoTest, DecodesOctalEscapes) {
  auto mounts = ParseMountInfo(kSample);
  ASSERT_TRUE(mounts);
  EXPECT_EQ((*mounts)[3].mount_point, "/mnt/with space");
  EXPECT_EQ((*mounts)[3].source, "my\tsrc");
  EXPECT_EQ((*mounts)[3].root, "/sub/dir");
}

TEST(MountInfoTest, MalformedLineIsAnError) {
  auto mounts = ParseMountInfo("26 1 254:0 / / rw\n");
  ASSERT_FALSE(mounts);
  EXPECT_NE(mounts.error().message().find("malformed mountinfo line"), std::string::npos);
  EXPECT_FALSE(ParseMountInfo("x 1 254:0 / / rw - ext4 /dev/vda rw\n"));
}

TEST(MountInfoTest, FindMountOfPicksLongestTopmost) {
  auto mounts = ParseMountInfo(
      "1 0 0:1 / / rw - ext4 a rw\n"
      "2 1 0:2 / /proc rw - proc b rw\n"
      "3 1 0:3 / /procfoo rw - tmpfs c rw\n"
      "4 2 0:4 / /proc rw - proc d rw\n");
  ASSERT_TRUE(mounts);
  EXPECT_EQ(FindMountOf(*mounts, "/proc/self")->id, 4);
  EXPECT_EQ(FindMountOf(*mounts, "/proc")->id, 4);
  EXPECT_EQ(FindMountOf(*mounts, "/procfoo/x")->id, 3);
  EXPECT_EQ(FindMountOf(*mounts, "/usr")->id, 1);
  EXPECT_EQ(FindMountOf({}, "/usr"), nullptr);
}

TEST(MountInfoTest, ReadsOwnMountInfo) {
  auto mounts = ReadMountInfo();
  ASSERT_TRUE(mounts) << mounts.error().message();
  EXPECT_NE(FindMountOf(*mounts, "/"), nullptr);
}

}  // namespace
}  // namespace cocoon::rootfs
