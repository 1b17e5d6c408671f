// Tests for switching user and groups in forked children.
#include "linux/user.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

// Reads the umask without keeping the change.
mode_t CurrentUmask() {
  mode_t mask = umask(0);
  umask(mask);
  return mask;
}

std::string CheckIds(uid_t uid, gid_t gid, const std::vector<gid_t>& groups) {
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  getresuid(&ruid, &euid, &suid);
  getresgid(&rgid, &egid, &sgid);
  if (ruid != uid || euid != uid || suid != uid)
    return fmt::format("uids {} {} {}", ruid, euid, suid);
  if (rgid != gid || egid != gid || sgid != gid)
    return fmt::format("gids {} {} {}", rgid, egid, sgid);
  std::vector<gid_t> actual(64);
  int n = getgroups(static_cast<int>(actual.size()), actual.data());
  if (n < 0) return "getgroups failed";
  actual.resize(static_cast<size_t>(n));
  if (actual != groups) return fmt::format("groups [{}]", fmt::join(actual, ","));
  return "";
}

TEST(UserTest, SwitchesUidGidGroupsAndUmask) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  EXPECT_EQ(
      RunInChild([] {
        oci::User user{.uid = 1234, .gid = 2345, .umask = 0077, .additional_gids = {3456, 4567}};
        auto switched = SwitchUser(user);
        if (!switched) return Report(switched, "SwitchUser");
        if (CurrentUmask() != 0077) return fmt::format("umask {:o}", CurrentUmask());
        return CheckIds(1234, 2345, {3456, 4567});
      }),
      "");
}

TEST(UserTest, DefaultUmaskAndNoSupplementaryGroups) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  EXPECT_EQ(RunInChild([] {
              umask(0);
              auto switched = SwitchUser(oci::User{.uid = 0, .gid = 0});
              if (!switched) return Report(switched, "SwitchUser");
              if (CurrentUmask() != kDefaultUmask) return fmt::format("umask {:o}", CurrentUmask());
              // Root's own supplementary groups are cleared too.
              return CheckIds(0, 0, {});
            }),
            "");
}

TEST(UserTest, SwitchingAwayFromRootWithoutPrivilegeFails) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  EXPECT_EQ(RunInChild([] {
              auto first = SwitchUser(oci::User{.uid = 1000, .gid = 1000});
              if (!first) return Report(first, "first SwitchUser");
              auto second = SwitchUser(oci::User{.uid = 0, .gid = 0});
              if (second) return std::string("became root again");
              // The groups step is the first to need privilege.
              if (second.error().message().find("setgroups") == std::string::npos)
                return "unexpected error: " + second.error().message();
              return std::string();
            }),
            "");
}

TEST(UserTest, SetgroupsAllowedFollowsProcSelfSetgroups) {
  Result<std::string> text = ReadFile("/proc/self/setgroups");
  bool deny = text && text->find("deny") != std::string::npos;
  EXPECT_EQ(SetgroupsAllowed(), !deny);
}

}  // namespace
}  // namespace cocoon::linux
