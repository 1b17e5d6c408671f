// `kill --all`: every process of the container's cgroup gets the signal, even
// ones that keep forking (the cgroup is frozen meanwhile), and a paused
// container can be killed too.
#include <signal.h>

#include <algorithm>
#include <thread>

#include "harness.h"

namespace cocoon::integration {
namespace {

class KillAllTest : public RuntimeTest {
 protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // In the host's pid namespace, killing init does not take the rest with
    // it: only signalling every pid of the cgroup stops the forkers. The pids
    // limit keeps them from exhausting the host.
    auto& ns = config()["linux"]["namespaces"];
    ns.erase(std::remove_if(ns.begin(), ns.end(), [](const json& n) { return n["type"] == "pid"; }),
             ns.end());
    config()["linux"]["resources"]["pids"]["limit"] = 300;
  }

  // Pids in the container's cgroups (every hierarchy), or -1 if unreadable.
  static int CountPids(const std::vector<std::string>& cgroups) {
    int count = 0;
    for (const auto& dir : cgroups) {
      if (!std::filesystem::exists(dir + "/cgroup.procs")) return -1;
      count = std::max(count, static_cast<int>(Lines(ReadFileOrEmpty(dir + "/cgroup.procs")).size()));
    }
    return count;
  }

  static bool WaitForPids(const std::vector<std::string>& cgroups, const std::function<bool(int)>& ok,
                          std::chrono::milliseconds timeout = 20s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ok(CountPids(cgroups))) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }

  // Starts four shells that fork `sleep` as fast as they can; returns the id
  // and the container's cgroups once it has plenty of processes.
  std::string StartForkLoop(std::vector<std::string>& cgroups) {
    std::string id = StartContainer(
        {"sh", "-c", "for i in 1 2 3 4; do (while true; do sleep 100 & done) & done; wait"});
    if (id.empty()) return "";
    int pid = State(id).value("pid", 0);
    cgroups = CgroupDirsOf(pid);
    EXPECT_FALSE(cgroups.empty()) << "the container has no cgroup of its own";
    EXPECT_TRUE(WaitForPids(cgroups, [](int n) { return n >= 50; })) << "the fork loop never got going";
    return id;
  }
};

TEST_F(KillAllTest, KillsAForkLoop) {
  std::vector<std::string> cgroups;
  std::string id = StartForkLoop(cgroups);
  ASSERT_NE(id, "");
  RunResult r = Run({"kill", "--all", id, "KILL"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForPids(cgroups, [](int n) { return n == 0; }))
      << CountPids(cgroups) << " processes are left in " << cgroups[0];
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  EXPECT_TRUE(LeftoverProcesses().empty());
  r = Run({"delete", id});
  EXPECT_TRUE(r.ok()) << r.Describe();
}

TEST_F(KillAllTest, KillsAPausedContainer) {
  std::vector<std::string> cgroups;
  std::string id = StartForkLoop(cgroups);
  ASSERT_NE(id, "");
  RunResult r = Run({"pause", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(State(id).value("status", ""), "paused");
  r = Run({"kill", "--all", id, "KILL"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForPids(cgroups, [](int n) { return n == 0; }))
      << CountPids(cgroups) << " processes are left in " << cgroups[0];
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  r = Run({"delete", id});
  EXPECT_TRUE(r.ok()) << r.Describe();
}

// A signal other than SIGKILL leaves a paused container paused; its
// processes get the signal when they are resumed.
TEST_F(KillAllTest, TermToAPausedContainerIsDeliveredOnResume) {
  std::string id = StartContainer({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.05; done"});
  ASSERT_NE(id, "");
  RunResult r = Run({"pause", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  r = Run({"kill", "--all", id, "TERM"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(State(id).value("status", ""), "paused");
  r = Run({"resume", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
}

}  // namespace
}  // namespace cocoon::integration
