// Tests for namespace planning and id map formatting.
#include "native/namespaces.h"

#include <sched.h>

#include <gtest/gtest.h>

#include "native/idmap.h"

namespace cocoon::native {
namespace {

oci::Spec SpecWith(std::vector<oci::Namespace> namespaces) {
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->namespaces = std::move(namespaces);
  return spec;
}

TEST(NamespacesTest, NewAndJoinedAreSeparated) {
  auto plan = PlanNamespaces(SpecWith({{"pid", ""},
                                       {"network", "/var/run/netns/x"},
                                       {"mount", ""},
                                       {"user", "/proc/1/ns/user"}}));
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_EQ(plan->new_flags, CLONE_NEWPID | CLONE_NEWNS);
  ASSERT_EQ(plan->joins.size(), 2u);
  // User is joined first whatever the spec's order.
  EXPECT_EQ(plan->joins[0].kind->type, "user");
  EXPECT_EQ(plan->joins[1].kind->type, "network");
  EXPECT_EQ(plan->joins[1].path, "/var/run/netns/x");
}

TEST(NamespacesTest, UnknownTypeNamesTheEntry) {
  auto plan = PlanNamespaces(SpecWith({{"pid", ""}, {"bogus", ""}}));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message(), "linux.namespaces[1].type: unknown namespace type \"bogus\"");
}

TEST(NamespacesTest, TableCoversEveryOciType) {
  for (const char* type : {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"})
    EXPECT_NE(FindNamespaceKind(type), nullptr) << type;
  EXPECT_EQ(FindNamespaceKind("net"), nullptr);
}

TEST(NamespacesTest, OwnProcessHasNothingToJoin) {
  auto joins = NamespacesOfProcess(getpid());
  ASSERT_TRUE(joins) << joins.error().message();
  EXPECT_TRUE(joins->empty());
}

TEST(IdMapTest, FormatsOneLinePerMapping) {
  EXPECT_EQ(FormatIdMappings({{0, 100000, 65536}, {65536, 5000, 1}}), "0 100000 65536\n65536 5000 1\n");
  EXPECT_EQ(FormatIdMappings({}), "");
}

}  // namespace
}  // namespace cocoon::native
