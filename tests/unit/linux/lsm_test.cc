// Tests for LSM validation against a given host support, and applying when the host has one.
#include "linux/lsm.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

oci::Process WithLsm(std::string apparmor, std::string selinux) {
  oci::Process process;
  process.apparmor_profile = std::move(apparmor);
  process.selinux_label = std::move(selinux);
  return process;
}

TEST(LsmTest, NothingRequestedIsAlwaysValid) {
  EXPECT_TRUE(ValidateLsm(WithLsm("", ""), LsmSupport{}));
  EXPECT_TRUE(ValidateLsm(WithLsm("", "")));
  EXPECT_TRUE(ApplyLsm(WithLsm("", "")));
}

TEST(LsmTest, MissingAppArmorIsAClearError) {
  auto result = ValidateLsm(WithLsm("x", ""), LsmSupport{.apparmor = false, .selinux = true});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "apparmor profile \"x\" requested but AppArmor is not enabled on this host");
  EXPECT_TRUE(ValidateLsm(WithLsm("x", ""), LsmSupport{.apparmor = true}));
}

TEST(LsmTest, MissingSelinuxIsAClearError) {
  auto result =
      ValidateLsm(WithLsm("", "system_u:system_r:container_t:s0"), LsmSupport{.apparmor = true});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "selinux label \"system_u:system_r:container_t:s0\" requested but SELinux is not "
            "enabled on this host");
  EXPECT_TRUE(
      ValidateLsm(WithLsm("", "system_u:system_r:container_t:s0"), LsmSupport{.selinux = true}));
}

TEST(LsmTest, ApplyOnAHostWithoutTheLsmFails) {
  LsmSupport host = DetectLsm();
  if (host.apparmor) GTEST_SKIP() << "AppArmor is enabled here";
  auto result = ApplyLsm(WithLsm("cocoon-test", ""));
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().message().find("AppArmor is not enabled"), std::string::npos);
}

TEST(LsmTest, ApplyAppArmorUnconfinedWhenEnabled) {
  if (!DetectLsm().apparmor) GTEST_SKIP() << "AppArmor is not enabled on this host";
  EXPECT_EQ(RunInChild([] {
              auto applied = ApplyLsm(WithLsm("unconfined", ""));
              return Report(applied, "ApplyLsm");
            }),
            "");
}

}  // namespace
}  // namespace cocoon::linux
