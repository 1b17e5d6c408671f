// Tests for the personality domain table and personality(2) in a forked child.
#include "linux/personalities.h"

#include <gtest/gtest.h>
#include <sys/personality.h>
#include <sys/utsname.h>

#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

TEST(PersonalitiesTest, DomainTable) {
  EXPECT_EQ(*PersonalityDomainFromName("LINUX"), static_cast<unsigned long>(PER_LINUX));
  EXPECT_EQ(*PersonalityDomainFromName("LINUX32"), static_cast<unsigned long>(PER_LINUX32));
  EXPECT_EQ(PersonalityDomainFromName("WINDOWS").error().message(),
            "unknown personality domain \"WINDOWS\"");
}

TEST(PersonalitiesTest, ValidateNamesTheField) {
  EXPECT_TRUE(ValidatePersonality({.domain = "LINUX"}));
  EXPECT_EQ(ValidatePersonality({.domain = "linux"}).error().message(),
            "linux.personality.domain: unknown personality domain \"linux\"");
  EXPECT_EQ(
      ValidatePersonality({.domain = "LINUX", .flags = {"ADDR_NO_RANDOMIZE"}}).error().message(),
      "linux.personality.flags: flag \"ADDR_NO_RANDOMIZE\" is not supported");
}

TEST(PersonalitiesTest, Linux32ChangesTheMachine) {
  EXPECT_EQ(RunInChild([] {
              auto applied = ApplyPersonality({.domain = "LINUX32"});
              if (!applied) return Report(applied, "ApplyPersonality");
              int current = personality(0xffffffff);
              if ((current & PER_MASK) != PER_LINUX32)
                return fmt::format("personality is {:#x}", current);
              struct utsname name {};
              uname(&name);
              std::string machine = name.machine;
              // x86_64 reports i686 and aarch64 armv8l under LINUX32.
              if (machine == "x86_64" || machine == "aarch64") return "uname still says " + machine;
              return std::string();
            }),
            "");
}

}  // namespace
}  // namespace cocoon::linux
