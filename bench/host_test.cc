// Tests for cgroup layout detection and the benchmark bundle (no root).
#include "bench/host.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file.h"
#include "bench/bundle.h"

namespace cocoon::bench {
namespace {

constexpr char kHybrid[] =
    "25 1 0:22 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
    "27 25 0:24 / /sys/fs/cgroup/memory rw,nosuid shared:11 - cgroup cgroup rw,memory\n"
    "28 1 0:25 / /sys/fs/cgroupish rw - cgroup2 cgroup2 rw\n"
    "29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";
constexpr char kUnified[] = "30 1 0:26 / /sys/fs/cgroup rw shared:4 - cgroup2 cgroup2 rw\n";

TEST(CgroupLayoutTest, HybridListsTheV2MountToHide) {
  CgroupLayout layout = ParseCgroupLayout(kHybrid);
  EXPECT_EQ(layout.kind, "hybrid");
  EXPECT_EQ(layout.hybrid_v2_mounts, std::vector<std::string>{"/sys/fs/cgroup/unified"});
  EXPECT_EQ(layout.hierarchies,
            (std::vector<std::string>{"/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory"}));
}

TEST(CgroupLayoutTest, UnifiedHidesNothing) {
  CgroupLayout layout = ParseCgroupLayout(kUnified);
  EXPECT_EQ(layout.kind, "unified");
  EXPECT_TRUE(layout.hybrid_v2_mounts.empty());
  EXPECT_EQ(ParseCgroupLayout("").kind, "legacy");
}

TEST(BundleTest, ConfigIsOci102WithoutNetworkNamespace) {
  nlohmann::json config = MakeConfig({{"/bin/true"}, "/r/rootfs", "/cocoon-bench-1/x"});
  EXPECT_EQ(config["ociVersion"], "1.0.2");
  EXPECT_EQ(config["process"]["args"], nlohmann::json::array({"/bin/true"}));
  EXPECT_EQ(config["process"]["terminal"], false);
  EXPECT_EQ(config["root"]["path"], "/r/rootfs");
  EXPECT_EQ(config["linux"]["cgroupsPath"], "/cocoon-bench-1/x");
  for (const auto& ns : config["linux"]["namespaces"]) EXPECT_NE(ns["type"], "network");
  EXPECT_EQ(config["mounts"][0]["destination"], "/proc");
}

TEST(BundleTest, RootfsHasBusyboxAndApplets) {
  std::string dir = fmt::format("/tmp/bench-host-test-{}", ::getpid());
  ASSERT_TRUE(MakeDirs(dir + "/src"));
  std::string fake_busybox = dir + "/src/busybox";
  ASSERT_TRUE(WriteFile(fake_busybox, "#!/bin/sh\n", O_CREAT, 0755));
  auto made = MakeBusyboxRootfs(dir + "/rootfs", fake_busybox);
  EXPECT_TRUE(made) << made.error().message();
  EXPECT_EQ(ReadFile(dir + "/rootfs/bin/busybox").value_or(""), "#!/bin/sh\n");
  EXPECT_EQ(ReadFile(dir + "/rootfs/bin/sleep").value_or(""), "#!/bin/sh\n");  // a symlink
  EXPECT_EQ(::access((dir + "/rootfs/bin/busybox").c_str(), X_OK), 0);
  EXPECT_TRUE(PathExists(dir + "/rootfs/proc"));
  EXPECT_TRUE(RemoveTree(dir));
  EXPECT_FALSE(PathExists(dir));
  EXPECT_FALSE(RemoveTree("/"));
}

TEST(FindExecutableTest, SearchesPathAndSbin) {
  auto sh = FindExecutable("sh");
  ASSERT_TRUE(sh) << sh.error().message();
  EXPECT_EQ(sh->front(), '/');
  EXPECT_FALSE(FindExecutable("no-such-runtime-xyz"));
}

}  // namespace
}  // namespace cocoon::bench
