// The managers on this machine's real cgroups (root only): create, apply a
// sleeping child, set limits, freeze, list, stats, destroy.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.h"
#include "base/scope_guard.h"
#include "cgroup/fs.h"
#include "cgroup/manager.h"

namespace cocoon::cgroup {
namespace {

// A forked child that sleeps until killed; killed and reaped on scope exit.
class SleepingChild {
 public:
  SleepingChild() {
    pid_ = ::fork();
    if (pid_ == 0) {
      for (;;) ::pause();
    }
  }
  ~SleepingChild() { Kill(); }
  pid_t pid() const { return pid_; }
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

class RootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create cgroups";
    auto host = ReadHostInfo();
    if (!host || !DetectLayout(*host)) GTEST_SKIP() << "no cgroup file system mounted";
    name_ = "cocoon-cgroup-test-" + std::to_string(::getpid());
  }
  std::string name_;
};

std::string Read(const std::map<std::string, std::string>& paths, const std::string& controller,
                 const std::string& file) {
  auto it = paths.find(controller);
  if (it == paths.end()) return "<no " + controller + ">";
  auto text = ReadControl(it->second, file);
  return text ? *text : text.error().message();
}

bool AllGone(const std::map<std::string, std::string>& paths) {
  return std::none_of(paths.begin(), paths.end(),
                      [](const auto& p) { return PathExists(p.second); });
}

TEST_F(RootTest, FullLifecycle) {
  auto created = Manager::Create("/" + name_, "unused");
  ASSERT_TRUE(created) << created.error().message();
  std::unique_ptr<Manager> m = std::move(*created);
  auto paths = m->Paths();
  SleepingChild child;
  ASSERT_GT(child.pid(), 0);
  // Whatever fails below: thaw (a frozen task can not die), kill, remove.
  ScopeGuard cleanup([&] {
    (void)m->Thaw();
    child.Kill();
    (void)m->Destroy();
  });

  auto applied = m->Apply(child.pid());
  ASSERT_TRUE(applied) << applied.error().message();
  std::string own = *ReadFile("/proc/" + std::to_string(child.pid()) + "/cgroup");
  EXPECT_NE(own.find("/" + name_), std::string::npos) << own;

  oci::Resources r;
  r.memory = oci::MemoryResources{.limit = 64 << 20};
  r.pids = oci::PidsResources{.limit = 32};
  r.cpu = oci::CpuResources{.shares = 512, .quota = 50000, .period = 100000};
  auto set = m->Set(r);
  ASSERT_TRUE(set) << set.error().message();
  if (m->layout() == Layout::kV2) {
    EXPECT_EQ(Read(paths, "", "memory.max"), "67108864");
    EXPECT_EQ(Read(paths, "", "pids.max"), "32");
    EXPECT_EQ(Read(paths, "", "cpu.max"), "50000 100000");
    EXPECT_EQ(Read(paths, "", "cpu.weight"), "20");
  } else {
    EXPECT_EQ(Read(paths, "memory", "memory.limit_in_bytes"), "67108864");
    EXPECT_EQ(Read(paths, "pids", "pids.max"), "32");
    EXPECT_EQ(Read(paths, "cpu", "cpu.shares"), "512");
    EXPECT_EQ(Read(paths, "cpu", "cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(Read(paths, "cpu", "cpu.cfs_period_us"), "100000");
  }

  auto frozen = m->Freeze();
  ASSERT_TRUE(frozen) << frozen.error().message();
  EXPECT_TRUE(*m->IsFrozen());
  if (paths.contains("freezer")) {
    EXPECT_EQ(Read(paths, "freezer", "freezer.state"), "FROZEN");
  }
  auto thawed = m->Thaw();
  ASSERT_TRUE(thawed) << thawed.error().message();
  EXPECT_FALSE(*m->IsFrozen());

  auto pids = m->Pids();
  ASSERT_TRUE(pids) << pids.error().message();
  EXPECT_EQ(*pids, std::vector<pid_t>{child.pid()});

  auto stats = m->Stats();
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ((*stats)["pids"]["current"], 1) << stats->dump();
  EXPECT_EQ((*stats)["pids"]["limit"], 32) << stats->dump();
  EXPECT_EQ((*stats)["memory"]["usage"]["limit"], 64 << 20) << stats->dump();
  EXPECT_TRUE((*stats)["memory"].contains("raw")) << stats->dump();
  auto ooms = m->OomKillCount();
  ASSERT_TRUE(ooms) << ooms.error().message();
  EXPECT_EQ(*ooms, 0u);

  // The state file round trip: a loaded manager destroys what the first made.
  auto loaded = Manager::Load(m->Save());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ((*loaded)->Paths(), paths);
  child.Kill();
  auto destroyed = (*loaded)->Destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message();
  EXPECT_TRUE(AllGone(paths));
}

TEST_F(RootTest, NestedPathAndSubCgroupsAreRemoved) {
  auto m = Manager::Create("/" + name_ + "/parent/leaf", "unused");
  ASSERT_TRUE(m) << m.error().message();
  auto paths = (*m)->Paths();
  ScopeGuard cleanup([&] { (void)(*m)->Destroy(); });
  ASSERT_TRUE((*m)->Apply(0));
  // A sub-cgroup made by the container itself.
  for (const auto& [controller, dir] : paths) ASSERT_TRUE(MakeCgroupDirs(dir + "/sub"));
  auto destroyed = (*m)->Destroy();
  ASSERT_TRUE(destroyed) << destroyed.error().message();
  EXPECT_TRUE(AllGone(paths));
  // Parents this manager created are gone too.
  for (const auto& [controller, dir] : paths) {
    std::string top = dir.substr(0, dir.find("/" + name_) + name_.size() + 1);
    EXPECT_FALSE(PathExists(top)) << top;
  }
}

TEST_F(RootTest, RelativeDefaultPath) {
  auto m = Manager::Create("", name_ + "-rel");
  ASSERT_TRUE(m) << m.error().message();
  ScopeGuard cleanup([&] { (void)(*m)->Destroy(); });
  auto applied = (*m)->Apply(0);
  ASSERT_TRUE(applied) << applied.error().message();
  for (const auto& [controller, dir] : (*m)->Paths()) {
    EXPECT_TRUE(dir.ends_with("/" + name_ + "-rel")) << dir;
    EXPECT_TRUE(PathExists(dir)) << dir;
  }
  ASSERT_TRUE((*m)->Destroy());
  EXPECT_TRUE(AllGone((*m)->Paths()));
}

TEST_F(RootTest, LimitForMissingControllerNamesIt) {
  auto m = Manager::Create("/" + name_ + "-net", "unused");
  ASSERT_TRUE(m) << m.error().message();
  if ((*m)->Paths().contains("net_cls")) GTEST_SKIP() << "this host has net_cls";
  ScopeGuard cleanup([&] { (void)(*m)->Destroy(); });
  auto set = (*m)->Set(oci::Resources{.network = oci::NetworkResources{.class_id = 0x100001}});
  ASSERT_FALSE(set);
  EXPECT_NE(set.error().message().find("net_cls"), std::string::npos) << set.error().message();
}

TEST_F(RootTest, HugetlbLimitOnHybrid) {
  auto m = Manager::Create("/" + name_ + "-huge", "unused");
  ASSERT_TRUE(m) << m.error().message();
  if ((*m)->layout() != Layout::kHybrid) GTEST_SKIP() << "not a hybrid host";
  ScopeGuard cleanup([&] { (void)(*m)->Destroy(); });
  ASSERT_TRUE((*m)->Apply(0));
  auto paths = (*m)->Paths();
  if (!ControlExists(paths[""], "hugetlb.2MB.max")) GTEST_SKIP() << "no 2MB hugetlb in the v2 tree";
  auto set = (*m)->Set(oci::Resources{.hugepage_limits = {{.page_size = "2MB", .limit = 4 << 21}}});
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(Read(paths, "", "hugetlb.2MB.max"), std::to_string(4 << 21));
  auto stats = (*m)->Stats();
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_TRUE((*stats)["hugetlb"].contains("2MB")) << stats->dump();
}

}  // namespace
}  // namespace cocoon::cgroup
