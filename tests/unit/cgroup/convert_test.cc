// OCI -> cgroup value translations.
#include "cgroup/convert.h"

#include <gtest/gtest.h>

#include "testdata.h"

namespace cocoon::cgroup {
namespace {

TEST(ConvertTest, SharesToWeightMatchesRunc) {
  EXPECT_EQ(CpuSharesToWeight(0), 0u);
  EXPECT_EQ(CpuSharesToWeight(2), 1u);
  EXPECT_EQ(CpuSharesToWeight(1024), 39u);
  EXPECT_EQ(CpuSharesToWeight(262144), 10000u);
  EXPECT_EQ(CpuSharesToWeight(1), 1u);             // clamped, no wrap-around
  EXPECT_EQ(CpuSharesToWeight(1u << 30), 10000u);  // clamped
}

TEST(ConvertTest, BlkioWeightToIoWeight) {
  EXPECT_EQ(BlkioWeightToIoWeight(0), 0u);
  EXPECT_EQ(BlkioWeightToIoWeight(10), 1u);
  EXPECT_EQ(BlkioWeightToIoWeight(1000), 10000u);
  EXPECT_EQ(BlkioWeightToIoWeight(500), 4950u);
}

TEST(ConvertTest, SwapToV2) {
  EXPECT_EQ(*SwapToV2(0, -1), -1);  // unlimited memory: unlimited swap
  EXPECT_EQ(*SwapToV2(-1, 100), -1);
  EXPECT_EQ(*SwapToV2(0, 100), 0);
  EXPECT_EQ(*SwapToV2(300, 100), 200);
  EXPECT_FALSE(SwapToV2(50, 100));  // memory+swap below memory
  EXPECT_FALSE(SwapToV2(50, 0));    // swap without a memory limit
}

TEST(ConvertTest, LimitsAndCpuMax) {
  EXPECT_EQ(V2Limit(-1), "max");
  EXPECT_EQ(V2Limit(4096), "4096");
  EXPECT_EQ(CpuMax(50000, 100000), "50000 100000");
  EXPECT_EQ(CpuMax(-1, 100000), "max 100000");
  EXPECT_EQ(CpuMax(std::nullopt, 100000), "max 100000");
  EXPECT_EQ(CpuMax(20000, std::nullopt), "20000");
}

TEST(ConvertTest, DeviceRuleStrings) {
  EXPECT_EQ(DeviceRuleString({.allow = false, .access = "rwm"}), "a *:* rwm");
  EXPECT_EQ(DeviceRuleString({.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rw"}),
            "c 1:3 rw");
  EXPECT_EQ(DeviceRuleString({.allow = true, .type = "b", .major = 8}), "b 8:* rwm");
  EXPECT_EQ(DeviceRuleString({.allow = true, .type = "c", .major = -1, .minor = 5, .access = "m"}),
            "c *:5 m");
}

TEST(ConvertTest, DefaultDevicesIncludeNullAndPts) {
  auto rules = DefaultAllowedDevices();
  auto has = [&](const std::string& s) {
    for (const auto& r : rules)
      if (r.allow && DeviceRuleString(r) == s) return true;
    return false;
  };
  EXPECT_TRUE(has("c 1:3 rwm"));
  EXPECT_TRUE(has("c 136:* rwm"));
  EXPECT_TRUE(has("b *:* m"));
}

TEST(ConvertTest, HugePageSizeNames) {
  EXPECT_EQ(*HugePageSizeName("hugepages-2048kB"), "2MB");
  EXPECT_EQ(*HugePageSizeName("hugepages-1048576kB"), "1GB");
  EXPECT_EQ(*HugePageSizeName("hugepages-64kB"), "64KB");
  EXPECT_FALSE(HugePageSizeName("foo"));
}

TEST(ConvertTest, HostHugePageSizesFromDir) {
  testing::TempDir tmp;
  tmp.Put("hugepages-2048kB/nr_hugepages", "0");
  tmp.Put("hugepages-1048576kB/nr_hugepages", "0");
  EXPECT_EQ(HostHugePageSizes(tmp.path()), (std::vector<std::string>{"1GB", "2MB"}));
}

}  // namespace
}  // namespace cocoon::cgroup
