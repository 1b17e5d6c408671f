// Manager backends against fake cgroup trees in a temporary directory: which
// files Set writes, errors for missing controllers, Save/Load.
#include "cgroup/manager.h"

#include <gtest/gtest.h>

#include "testdata.h"

namespace cocoon::cgroup {
namespace {

using testing::TempDir;

bool Contains(const Error& e, const std::string& part) {
  return e.message().find(part) != std::string::npos;
}

// A host whose v1 hierarchies (and optionally cgroup2) are mounted under `root`.
HostInfo FakeHost(const std::string& root, std::vector<std::vector<std::string>> v1, bool with_v2) {
  HostInfo host;
  for (auto& controllers : v1) {
    std::string name;
    for (const auto& c : controllers) name += (name.empty() ? "" : ",") + c;
    host.mounts.push_back(
        {.mount_point = root + "/" + name, .root = "/", .controllers = controllers});
  }
  if (with_v2) host.mounts.push_back({.mount_point = root + "/unified", .root = "/", .v2 = true});
  return host;
}

TEST(ManagerTest, CreatePicksTheBackendFromTheLayout) {
  HostInfo v1 = FakeHost("/cg", {{"memory"}, {"pids"}}, false);
  HostInfo v2 = FakeHost("/cg", {}, true);
  HostInfo hybrid = FakeHost("/cg", {{"memory"}}, true);
  EXPECT_EQ((*Manager::Create("/a", "id", v1))->layout(), Layout::kV1);
  EXPECT_EQ((*Manager::Create("/a", "id", v2))->layout(), Layout::kV2);
  auto m = Manager::Create("", "c1", hybrid);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->layout(), Layout::kHybrid);
  EXPECT_EQ((*m)->Paths(), (std::map<std::string, std::string>{{"", "/cg/unified/c1"},
                                                               {"memory", "/cg/memory/c1"}}));
}

TEST(ManagerTest, SaveLoadRoundTrip) {
  for (bool v2 : {false, true}) {
    for (bool v1 : {false, true}) {
      if (!v1 && !v2) continue;
      HostInfo host = FakeHost("/cg",
                               v1 ? std::vector<std::vector<std::string>>{{"cpu", "cpuacct"}}
                                  : std::vector<std::vector<std::string>>{},
                               v2);
      auto m = Manager::Create("/x/y", "id", host);
      ASSERT_TRUE(m) << m.error().message();
      auto loaded = Manager::Load(nlohmann::json::parse((*m)->Save().dump()));
      ASSERT_TRUE(loaded) << loaded.error().message();
      EXPECT_EQ((*loaded)->layout(), (*m)->layout());
      EXPECT_EQ((*loaded)->Paths(), (*m)->Paths());
    }
  }
  EXPECT_FALSE(Manager::Load(nlohmann::json::object()));
  EXPECT_FALSE(Manager::Load({{"layout", "v1"}}));
}

class V1FakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = FakeHost(tmp_.path(),
                     {{"cpu", "cpuacct"}, {"cpuset"}, {"memory"}, {"devices"}, {"freezer"}}, false);
    for (const char* f : {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cgroup.procs"})
      tmp_.Put("cpu,cpuacct/c1/" + std::string(f), "");
    tmp_.Put("cpuset/cpuset.cpus", "0-1\n");
    tmp_.Put("cpuset/cpuset.mems", "0\n");
    tmp_.Put("cpuset/c1/cpuset.cpus", "");
    tmp_.Put("cpuset/c1/cpuset.mems", "");
    tmp_.Put("memory/c1/memory.limit_in_bytes", "9223372036854771712\n");
    tmp_.Put("memory/c1/memory.memsw.limit_in_bytes", "9223372036854771712\n");
    tmp_.Put("memory/c1/memory.swappiness", "60\n");
    tmp_.Put("memory/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 7\n");
    tmp_.Put("devices/c1/devices.allow", "");
    tmp_.Put("devices/c1/devices.deny", "");
    tmp_.Put("freezer/c1/freezer.state", "THAWED\n");
    manager_ = std::move(*Manager::Create("/c1", "id", host_));
  }
  TempDir tmp_;
  HostInfo host_;
  std::unique_ptr<Manager> manager_;
};

TEST_F(V1FakeTest, SetWritesEachControllerFile) {
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 1 << 20, .swap = 2 << 20, .swappiness = 10};
  r.cpu = oci::CpuResources{.shares = 512, .quota = 50000, .period = 100000};
  r.devices = {{.allow = false, .access = "rwm"},
               {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rwm"}};
  auto s = manager_->Set(r);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(tmp_.Get("memory/c1/memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(tmp_.Get("memory/c1/memory.memsw.limit_in_bytes"), "2097152");
  EXPECT_EQ(tmp_.Get("memory/c1/memory.swappiness"), "10");
  EXPECT_EQ(tmp_.Get("cpu,cpuacct/c1/cpu.shares"), "512");
  EXPECT_EQ(tmp_.Get("cpu,cpuacct/c1/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(tmp_.Get("cpu,cpuacct/c1/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(tmp_.Get("devices/c1/devices.deny"), "a *:* rwm");  // the last write: "a" came first
  EXPECT_EQ(tmp_.Get("devices/c1/devices.allow"), "c 1:3 rwm");
  // A new cpuset cgroup got its parent's cpus and mems.
  EXPECT_EQ(tmp_.Get("cpuset/c1/cpuset.cpus"), "0-1");
  EXPECT_EQ(tmp_.Get("cpuset/c1/cpuset.mems"), "0");
  EXPECT_EQ(*manager_->OomKillCount(), 7u);
}

TEST_F(V1FakeTest, UnsetFieldsAreUntouched) {
  ASSERT_TRUE(manager_->Set(oci::Resources{.memory = oci::MemoryResources{}}));
  EXPECT_EQ(tmp_.Get("memory/c1/memory.limit_in_bytes"), "9223372036854771712\n");
}

TEST_F(V1FakeTest, MissingControllersAreNamed) {
  auto pids = manager_->Set(oci::Resources{.pids = oci::PidsResources{.limit = 10}});
  ASSERT_FALSE(pids);
  EXPECT_TRUE(Contains(pids.error(), "pids cgroup controller")) << pids.error().message();
  auto net = manager_->Set(oci::Resources{.network = oci::NetworkResources{.class_id = 1}});
  ASSERT_FALSE(net);
  EXPECT_TRUE(Contains(net.error(), "net_cls")) << net.error().message();
  auto unified = manager_->Set(oci::Resources{.unified = {{"memory.high", "1"}}});
  ASSERT_FALSE(unified);
  EXPECT_TRUE(Contains(unified.error(), "unified")) << unified.error().message();
  // A pids limit of 0 means unset (runc): no pids controller needed.
  EXPECT_TRUE(manager_->Set(oci::Resources{.pids = oci::PidsResources{.limit = 0}}));
}

TEST_F(V1FakeTest, ApplyWritesThePidToEveryHierarchy) {
  for (const char* dir : {"cpuset", "memory", "devices", "freezer"})
    tmp_.Put(std::string(dir) + "/c1/cgroup.procs", "");
  ASSERT_TRUE(manager_->Apply(1234));
  EXPECT_EQ(tmp_.Get("cpu,cpuacct/c1/cgroup.procs"), "1234");
  EXPECT_EQ(tmp_.Get("freezer/c1/cgroup.procs"), "1234");
  EXPECT_TRUE(*manager_->IsFrozen() == false);
}

class V2FakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    host_ = FakeHost(tmp_.path(), {}, true);
    tmp_.Put("unified/cgroup.controllers", "cpu memory pids\n");
    tmp_.Put("unified/cgroup.subtree_control", "");
    tmp_.Put("unified/c1/cgroup.controllers", "cpu memory pids\n");
    for (const char* f : {"memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max",
                          "pids.max", "memory.high"})
      tmp_.Put("unified/c1/" + std::string(f), "");
    tmp_.Put("unified/c1/memory.events", "oom 2\noom_kill 1\n");
    manager_ = std::move(*Manager::Create("/c1", "id", host_));
  }
  TempDir tmp_;
  HostInfo host_;
  std::unique_ptr<Manager> manager_;
};

TEST_F(V2FakeTest, SetWritesV2Files) {
  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 100, .reservation = 50, .swap = 300};
  r.cpu = oci::CpuResources{.shares = 1024, .quota = -1, .period = 100000};
  r.pids = oci::PidsResources{.limit = -1};
  r.unified = {{"memory.high", "80"}};
  auto s = manager_->Set(r);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(tmp_.Get("unified/cgroup.subtree_control"), "+cpu +memory +pids");
  EXPECT_EQ(tmp_.Get("unified/c1/memory.max"), "100");
  EXPECT_EQ(tmp_.Get("unified/c1/memory.swap.max"), "200");
  EXPECT_EQ(tmp_.Get("unified/c1/memory.low"), "50");
  EXPECT_EQ(tmp_.Get("unified/c1/cpu.weight"), "39");
  EXPECT_EQ(tmp_.Get("unified/c1/cpu.max"), "max 100000");
  EXPECT_EQ(tmp_.Get("unified/c1/pids.max"), "max");
  EXPECT_EQ(tmp_.Get("unified/c1/memory.high"), "80");
  EXPECT_EQ(*manager_->OomKillCount(), 1u);
}

TEST_F(V2FakeTest, ErrorsNameTheControllerOrKey) {
  auto huge = manager_->Set(oci::Resources{.hugepage_limits = {{.page_size = "2MB", .limit = 0}}});
  ASSERT_FALSE(huge);
  EXPECT_TRUE(Contains(huge.error(), "hugetlb")) << huge.error().message();
  auto key = manager_->Set(oci::Resources{.unified = {{"memory.nonesuch", "1"}}});
  ASSERT_FALSE(key);
  EXPECT_TRUE(Contains(key.error(), "memory.nonesuch")) << key.error().message();
  auto escape = manager_->Set(oci::Resources{.unified = {{"../x", "1"}}});
  ASSERT_FALSE(escape);
  auto rt = manager_->Set(oci::Resources{.cpu = oci::CpuResources{.realtime_runtime = 1000}});
  ASSERT_FALSE(rt);
  EXPECT_TRUE(Contains(rt.error(), "realtime")) << rt.error().message();
}

TEST(HybridFakeTest, HugetlbGoesToTheV2Tree) {
  TempDir tmp;
  HostInfo host = FakeHost(tmp.path(), {{"memory"}}, true);
  tmp.Put("unified/cgroup.controllers", "hugetlb\n");
  tmp.Put("unified/cgroup.subtree_control", "");
  tmp.Put("unified/c1/cgroup.controllers", "hugetlb\n");
  tmp.Put("unified/c1/hugetlb.2MB.max", "");
  tmp.Put("memory/c1/memory.limit_in_bytes", "");
  auto m = Manager::Create("/c1", "id", host);
  ASSERT_TRUE(m);
  oci::Resources r{.memory = oci::MemoryResources{.limit = 4096},
                   .hugepage_limits = {{.page_size = "2MB", .limit = 2097152}}};
  auto s = (*m)->Set(r);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(tmp.Get("unified/c1/hugetlb.2MB.max"), "2097152");
  EXPECT_EQ(tmp.Get("memory/c1/memory.limit_in_bytes"), "4096");
  auto pids = (*m)->Set(oci::Resources{.pids = oci::PidsResources{.limit = 3}});
  ASSERT_FALSE(pids);
  EXPECT_TRUE(Contains(pids.error(), "pids")) << pids.error().message();
}

}  // namespace
}  // namespace cocoon::cgroup
