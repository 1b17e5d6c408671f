// Tests for the mount option tables: flags, cleared flags, propagation and data.
#include "rootfs/mount_options.h"

#include <sys/mount.h>

#include <gtest/gtest.h>

namespace cocoon::rootfs {
namespace {

TEST(MountOptionsTest, FlagsFromTable) {
  MountOptions o = ParseMountOptions({"ro", "nosuid", "nodev", "noexec", "noatime", "strictatime", "dirsync", "sync"});
  EXPECT_EQ(o.flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_STRICTATIME | MS_DIRSYNC |
                         MS_SYNCHRONOUS);
  EXPECT_EQ(o.cleared, 0u);
  EXPECT_TRUE(o.data.empty());
  EXPECT_EQ(o.propagation, 0u);
}

TEST(MountOptionsTest, LastOfContradictingOptionsWins) {
  MountOptions o = ParseMountOptions({"ro", "rw", "suid", "nosuid", "exec"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
  EXPECT_EQ(o.cleared, static_cast<unsigned long>(MS_RDONLY | MS_NOEXEC));
}

TEST(MountOptionsTest, ClearingOptionsSetNothing) {
  MountOptions o = ParseMountOptions({"rw", "dev", "atime", "diratime", "norelatime", "nostrictatime", "async", "nomand"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(o.cleared, MS_RDONLY | MS_NODEV | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME |
                           MS_SYNCHRONOUS | MS_MANDLOCK);
}

TEST(MountOptionsTest, BindAndRbind) {
  MountOptions bind = ParseMountOptions({"bind"});
  EXPECT_TRUE(bind.IsBind());
  EXPECT_FALSE(bind.IsRecursive());
  MountOptions rbind = ParseMountOptions({"rbind", "ro"});
  EXPECT_TRUE(rbind.IsBind());
  EXPECT_TRUE(rbind.IsRecursive());
  EXPECT_EQ(rbind.flags, MS_BIND | MS_REC | MS_RDONLY);
}

TEST(MountOptionsTest, UnknownOptionsBecomeData) {
  MountOptions o = ParseMountOptions({"nosuid", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
  EXPECT_EQ(o.Data(), "mode=755,size=65536k,newinstance,ptmxmode=0666");
}

TEST(MountOptionsTest, PropagationOptionsAreSeparate) {
  EXPECT_EQ(ParseMountOptions({"rbind", "rslave"}).propagation, MS_SLAVE | MS_REC);
  EXPECT_EQ(ParseMountOptions({"shared"}).propagation, static_cast<unsigned long>(MS_SHARED));
  EXPECT_EQ(ParseMountOptions({"private", "runbindable"}).propagation, MS_UNBINDABLE | MS_REC);
  EXPECT_EQ(ParseMountOptions({"rshared"}).flags, 0u);
}

TEST(MountOptionsTest, TmpcopyupAndRemount) {
  MountOptions o = ParseMountOptions({"tmpcopyup", "remount", "defaults"});
  EXPECT_TRUE(o.tmpcopyup);
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_REMOUNT));
  EXPECT_TRUE(o.data.empty());
}

struct PropagationCase {
  const char* name;
  unsigned long flags;
};

TEST(PropagationTest, EveryName) {
  const PropagationCase cases[] = {
      {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC}, {"shared", MS_SHARED},
      {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},             {"rslave", MS_SLAVE | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  for (const PropagationCase& c : cases) {
    auto flags = ParsePropagation(c.name);
    ASSERT_TRUE(flags) << c.name;
    EXPECT_EQ(*flags, c.flags) << c.name;
  }
}

TEST(PropagationTest, UnknownNameIsAnError) {
  auto flags = ParsePropagation("sideways");
  ASSERT_FALSE(flags);
  EXPECT_EQ(flags.error().message(), "linux.rootfsPropagation: unknown propagation \"sideways\"");
  EXPECT_FALSE(ParsePropagation(""));
  EXPECT_FALSE(ParsePropagation("ro"));
}

TEST(CurrentMountFlagsTest, ReadsFlagsOfRoot) {
  auto flags = CurrentMountFlags("/proc");
  ASSERT_TRUE(flags) << flags.error().message();
  auto missing = CurrentMountFlags("/nonexistent-cocoon-path");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOENT);
}

}  // namespace
}  // namespace cocoon::rootfs
