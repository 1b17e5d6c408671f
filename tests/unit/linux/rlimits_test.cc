// Tests for the rlimit table, validation, and setrlimit in forked children.
#include "linux/rlimits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

TEST(RlimitsTest, TableMapsNames) {
  EXPECT_EQ(*RlimitFromName("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(*RlimitFromName("RLIMIT_AS"), RLIMIT_AS);
  EXPECT_EQ(*RlimitFromName("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  EXPECT_EQ(RlimitName(RLIMIT_CORE), "RLIMIT_CORE");
  for (int resource = 0; resource < RLIMIT_NLIMITS; ++resource) {
    ASSERT_FALSE(RlimitName(resource).empty()) << resource;
    EXPECT_EQ(*RlimitFromName(RlimitName(resource)), resource);
  }
}

TEST(RlimitsTest, UnknownNameIsAnError) {
  EXPECT_EQ(RlimitFromName("RLIMIT_FOO").error().message(), "unknown rlimit \"RLIMIT_FOO\"");
  EXPECT_FALSE(RlimitFromName("NOFILE"));
}

TEST(RlimitsTest, ValidateRejectsBadEntries) {
  EXPECT_TRUE(ValidateRlimits({}));
  EXPECT_TRUE(ValidateRlimits({{"RLIMIT_NOFILE", 1024, 1024}, {"RLIMIT_CORE", RLIM_INFINITY, 0}}));
  EXPECT_EQ(ValidateRlimits({{"RLIMIT_FOO", 1, 1}}).error().message(),
            "process.rlimits: unknown rlimit \"RLIMIT_FOO\"");
  EXPECT_EQ(
      ValidateRlimits({{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_NOFILE", 20, 20}}).error().message(),
      "process.rlimits: duplicate rlimit \"RLIMIT_NOFILE\"");
  EXPECT_EQ(ValidateRlimits({{"RLIMIT_NOFILE", 10, 20}}).error().message(),
            "process.rlimits: RLIMIT_NOFILE: soft limit 20 is above hard limit 10");
}

TEST(RlimitsTest, ApplySetsTheLimits) {
  EXPECT_EQ(RunInChild([] {
              auto applied = ApplyRlimits({{"RLIMIT_NOFILE", 512, 256}, {"RLIMIT_CORE", 0, 0}});
              if (!applied) return Report(applied, "ApplyRlimits");
              struct rlimit nofile {
              }, core{};
              getrlimit(RLIMIT_NOFILE, &nofile);
              getrlimit(RLIMIT_CORE, &core);
              if (nofile.rlim_cur != 256 || nofile.rlim_max != 512)
                return fmt::format("RLIMIT_NOFILE is {}/{}", nofile.rlim_cur, nofile.rlim_max);
              if (core.rlim_cur != 0 || core.rlim_max != 0)
                return fmt::format("RLIMIT_CORE is {}/{}", core.rlim_cur, core.rlim_max);
              return std::string();
            }),
            "");
}

TEST(RlimitsTest, ApplyErrorNamesTheLimitAndValues) {
  EXPECT_EQ(RunInChild([] {
              // Lowering the hard limit first makes raising it fail even as root
              // without CAP_SYS_RESOURCE; with it, the kernel's nr_open cap does.
              auto lowered = ApplyRlimits({{"RLIMIT_NOFILE", 64, 64}});
              if (!lowered) return Report(lowered, "lowering");
              auto raised = ApplyRlimits({{"RLIMIT_NOFILE", RLIM_INFINITY, RLIM_INFINITY}});
              if (raised) return std::string("raising RLIMIT_NOFILE to unlimited succeeded");
              std::string want = "setting RLIMIT_NOFILE to soft unlimited, hard unlimited: ";
              if (!raised.error().message().starts_with(want))
                return "unexpected error: " + raised.error().message();
              return std::string();
            }),
            "");
}

}  // namespace
}  // namespace cocoon::linux
