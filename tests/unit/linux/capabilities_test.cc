// Tests for the capability table, validation, and applying the sets in forked children.
#include "linux/capabilities.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/file.h"
#include "child_process.h"
#include "linux/user.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

// A hex mask from /proc/self/status, e.g. field "CapEff".
Result<uint64_t> StatusMask(const std::string& field) {
  std::string status = TRY(ReadFile("/proc/self/status"));
  size_t at = status.find(field + ":\t");
  if (at == std::string::npos) return std::unexpected(Errorf("no {} in /proc/self/status", field));
  return std::stoull(status.substr(at + field.size() + 2, 16), nullptr, 16);
}

// "" when /proc/self/status shows `expected` for `field`.
std::string ExpectMask(const std::string& field, uint64_t expected) {
  auto mask = StatusMask(field);
  if (!mask) return mask.error().message();
  if (*mask == expected) return "";
  return fmt::format("{}: got {:016x}, want {:016x}", field, *mask, expected);
}

bool CanApplyCaps() { return geteuid() == 0 && prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) == 1; }

TEST(CapabilitiesTest, TableMapsNamesAndNumbers) {
  EXPECT_EQ(*CapabilityFromName("CAP_CHOWN"), CAP_CHOWN);
  EXPECT_EQ(*CapabilityFromName("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(*CapabilityFromName("cap_net_raw"), CAP_NET_RAW);
  EXPECT_EQ(*CapabilityFromName("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(CapabilityName(CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
  EXPECT_EQ(CapabilityName(40), "CAP_CHECKPOINT_RESTORE");
  EXPECT_EQ(CapabilityName(63), "");
  EXPECT_EQ(CapabilityName(-1), "");
  for (int cap = 0; cap <= KnownLastCapability(); ++cap) {
    EXPECT_EQ(*CapabilityFromName(CapabilityName(cap)), cap);
  }
}

// The validation suite's process_capabilities asks for every capability; one
// missing from our own set must fail create (CheckHeld), not init after start.
TEST(CapabilitiesTest, CheckHeldNamesCapabilitiesThisProcessLacks) {
  oci::Capabilities none;
  EXPECT_TRUE(CheckHeld(none).has_value());
  int missing = -1;
  for (int cap = 0; cap <= CAP_LAST_CAP && missing < 0; ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1 || geteuid() != 0) missing = cap;
  }
  if (missing < 0) GTEST_SKIP() << "this process holds every capability";
  oci::Capabilities caps;
  caps.permitted = {std::string(CapabilityName(missing))};
  auto held = CheckHeld(caps);
  ASSERT_FALSE(held.has_value());
  EXPECT_NE(held.error().message().find(CapabilityName(missing)), std::string::npos) << held.error().message();
}

TEST(CapabilitiesTest, UnknownNameIsAnErrorNamingIt) {
  auto cap = CapabilityFromName("CAP_FOO");
  ASSERT_FALSE(cap);
  EXPECT_EQ(cap.error().message(), "unknown capability \"CAP_FOO\"");
  EXPECT_FALSE(CapabilityFromName("SYS_ADMIN"));
  EXPECT_FALSE(CapabilityFromName(""));
}

TEST(CapabilitiesTest, HostLastCapabilityIsSane) {
  auto last = HostLastCapability();
  ASSERT_TRUE(last) << last.error().message();
  EXPECT_GE(*last, CAP_AUDIT_READ);
  EXPECT_LE(*last, 63);
}

TEST(CapabilitiesTest, ValidateNamesTheSetAndValue) {
  oci::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_CHOWN"};
  caps.ambient = {"CAP_FOO"};
  auto result = ValidateCapabilities(caps);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "process.capabilities.ambient: unknown capability \"CAP_FOO\"");
  caps.ambient = {"CAP_KILL"};
  EXPECT_TRUE(ValidateCapabilities(caps));
  EXPECT_TRUE(ValidateCapabilities(oci::Capabilities{}));
}

TEST(CapabilitiesTest, ResolveDropsCapabilitiesTheKernelLacks) {
  oci::Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
  caps.effective = {"CAP_KILL"};
  caps.permitted = {"CAP_KILL", "CAP_PERFMON"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_KILL"};
  // As if the kernel stopped at CAP_AUDIT_READ (37).
  auto masks = ResolveCapabilities(caps, CAP_AUDIT_READ);
  ASSERT_TRUE(masks) << masks.error().message();
  EXPECT_EQ(masks->bounding, Bit(CAP_CHOWN));
  EXPECT_EQ(masks->effective, Bit(CAP_KILL));
  EXPECT_EQ(masks->permitted, Bit(CAP_KILL));
  EXPECT_EQ(masks->inheritable, Bit(CAP_NET_BIND_SERVICE));
  EXPECT_EQ(masks->ambient, Bit(CAP_KILL));
}

TEST(CapabilitiesTest, DropBoundingSetKeepsOnlyTheBoundingSet) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(RunInChild([] {
              oci::Capabilities caps;
              caps.bounding = {"CAP_CHOWN", "CAP_KILL"};
              auto result = DropBoundingSet(caps);
              if (!result) return Report(result, "DropBoundingSet");
              return ExpectMask("CapBnd", Bit(CAP_CHOWN) | Bit(CAP_KILL));
            }),
            "");
}

TEST(CapabilitiesTest, MissingCapabilitiesObjectMeansNone) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(RunInChild([] {
              std::optional<oci::Capabilities> none;
              auto dropped = DropBoundingSet(none);
              if (!dropped) return Report(dropped, "DropBoundingSet");
              auto applied = ApplyCapabilities(none);
              if (!applied) return Report(applied, "ApplyCapabilities");
              for (const char* field : {"CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"}) {
                std::string bad = ExpectMask(field, 0);
                if (!bad.empty()) return bad;
              }
              return std::string();
            }),
            "");
}

TEST(CapabilitiesTest, ApplySetsAllFiveSets) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(RunInChild([] {
              oci::Capabilities caps;
              caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.permitted = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.effective = {"CAP_CHOWN", "CAP_KILL"};
              caps.inheritable = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
              caps.ambient = {"CAP_NET_BIND_SERVICE"};
              auto dropped = DropBoundingSet(caps);
              if (!dropped) return Report(dropped, "DropBoundingSet");
              auto applied = ApplyCapabilities(caps);
              if (!applied) return Report(applied, "ApplyCapabilities");
              std::string bad =
                  ExpectMask("CapBnd", Bit(CAP_CHOWN) | Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE));
              if (bad.empty())
                bad = ExpectMask("CapPrm",
                                 Bit(CAP_CHOWN) | Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE));
              if (bad.empty()) bad = ExpectMask("CapEff", Bit(CAP_CHOWN) | Bit(CAP_KILL));
              if (bad.empty())
                bad = ExpectMask("CapInh", Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE));
              if (bad.empty()) bad = ExpectMask("CapAmb", Bit(CAP_NET_BIND_SERVICE));
              return bad;
            }),
            "");
}

TEST(CapabilitiesTest, CapabilitiesSurviveTheSwitchToAnotherUser) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(
      RunInChild([] {
        oci::Capabilities caps;
        caps.bounding = caps.permitted = caps.effective = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
        caps.inheritable = caps.ambient = {"CAP_NET_BIND_SERVICE"};
        auto dropped = DropBoundingSet(caps);
        if (!dropped) return Report(dropped, "DropBoundingSet");
        oci::User user{.uid = 1000, .gid = 1000};
        auto switched = SwitchUser(user);
        if (!switched) return Report(switched, "SwitchUser");
        auto applied = ApplyCapabilities(caps);
        if (!applied) return Report(applied, "ApplyCapabilities");
        if (getuid() != 1000 || geteuid() != 1000) return std::string("uid did not change");
        std::string bad = ExpectMask("CapEff", Bit(CAP_KILL) | Bit(CAP_NET_BIND_SERVICE));
        if (bad.empty()) bad = ExpectMask("CapAmb", Bit(CAP_NET_BIND_SERVICE));
        return bad;
      }),
      "");
}

TEST(CapabilitiesTest, ApplyingACapabilityNotHeldNamesIt) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(RunInChild([] {
              oci::Capabilities caps;
              caps.bounding = {"CAP_KILL"};
              auto dropped = DropBoundingSet(caps);
              if (!dropped) return Report(dropped, "DropBoundingSet");
              // Drop CAP_CHOWN from the permitted set, then ask for it back.
              oci::Capabilities kill_only;
              kill_only.permitted = kill_only.effective = {"CAP_KILL"};
              auto applied = ApplyCapabilities(kill_only);
              if (!applied) return Report(applied, "ApplyCapabilities");
              oci::Capabilities more = kill_only;
              more.permitted.push_back("CAP_CHOWN");
              auto again = ApplyCapabilities(more);
              if (again) return std::string("raising a dropped capability succeeded");
              if (again.error().message().find("CAP_CHOWN") == std::string::npos)
                return "error does not name CAP_CHOWN: " + again.error().message();
              return std::string();
            }),
            "");
}

TEST(CapabilitiesTest, InheritableOutsideTheBoundingSetNamesIt) {
  if (!CanApplyCaps()) GTEST_SKIP() << "needs root with CAP_SETPCAP";
  EXPECT_EQ(RunInChild([] {
              oci::Capabilities caps;
              caps.bounding = {"CAP_KILL"};
              auto dropped = DropBoundingSet(caps);
              if (!dropped) return Report(dropped, "DropBoundingSet");
              // Without CAP_SETPCAP in the effective set, inheritable is limited by the bounding
              // set.
              caps.permitted = caps.effective = {"CAP_KILL", "CAP_CHOWN"};
              caps.inheritable = {"CAP_CHOWN"};
              auto applied = ApplyCapabilities(caps);
              if (applied)
                return std::string("applying an unbounded inheritable capability succeeded");
              if (applied.error().message().find("not in the bounding set: CAP_CHOWN") ==
                  std::string::npos)
                return "unexpected error: " + applied.error().message();
              return std::string();
            }),
            "");
}

}  // namespace
}  // namespace cocoon::linux
