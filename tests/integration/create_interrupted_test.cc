// `create` killed at any point: `delete --force` removes whatever it left (the
// state dir, processes, cgroups, mounts), and then the container does not exist.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "harness.h"

namespace cocoon::integration {
namespace {

class CreateInterruptedTest : public RuntimeTest {
 protected:
  // Mounts whose line names `fragment` (this test's temp dir or a container id):
  // other tests may mount and unmount meanwhile, so only ours are compared.
  static std::set<std::string> MountsNaming(const std::string& fragment) {
    std::set<std::string> found;
    for (const auto& line : Lines(ReadFileOrEmpty("/proc/self/mountinfo")))
      if (line.find(fragment) != std::string::npos) found.insert(line);
    return found;
  }

  // Starts `create` and SIGKILLs the runtime `delay` later; returns how long
  // create had been running (the runtime may have finished first).
  void CreateAndKill(const std::string& id, std::chrono::microseconds delay) {
    std::vector<std::string> argv = {RuntimePath(), "--root", root(), "create", "--bundle", bundle(), id};
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    std::string marker = marker_env();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      putenv(marker.data());
      execv(cargs[0], cargs.data());
      _exit(127);
    }
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
};

TEST_F(CreateInterruptedTest, DeleteForceCleansUpAfterCreateKilledAtAnyPoint) {
  SetArgs({"sleep", "1000"});
  std::set<std::string> mounts_before = MountsNaming(tmp());
  // A create takes about 100 ms here; most of its steps are in the first 20.
  const int kDelaysUs[] = {0,     200,   500,   1000,  2000,  3000,  4000,   5000,   7000,   10000,
                           12000, 15000, 20000, 25000, 30000, 40000, 50000,  60000,  75000,  90000,
                           100000, 120000, 150000, 250000};
  bool nested = false;
  for (int delay : kDelaysUs) {
    std::string id = NewId();
    // Every other round in a cgroup whose parent create makes (and, named
    // after the id, would be found if left).
    nested = !nested;
    if (nested) {
      config()["linux"]["cgroupsPath"] = "/" + id + "/leaf";
    } else {
      config()["linux"].erase("cgroupsPath");
    }
    SaveConfig();
    SCOPED_TRACE("create killed after " + std::to_string(delay) + " us" + (nested ? ", nested cgroup" : ""));
    CreateAndKill(id, std::chrono::microseconds(delay));
    if (HasFatalFailure()) return;
    RunResult r = Run({"delete", "--force", id});
    EXPECT_TRUE(r.ok()) << r.Describe();
    EXPECT_FALSE(std::filesystem::exists(root() + "/" + id)) << "state dir left";
    RunResult state = Run({"state", id});
    EXPECT_NE(state.status, 0) << state.Describe();
    EXPECT_NE(state.err.find("does not exist"), std::string::npos) << state.Describe();
    // A killed process lingers for a moment before the kernel moves it out.
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while ((!ProcessesTaggedWith(marker_env(), id).empty() || !FindCgroupDirs(id).empty()) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(20ms);
    for (pid_t pid : ProcessesTaggedWith(marker_env(), id)) ADD_FAILURE() << "process left: " << pid;
    for (const auto& dir : FindCgroupDirs(id)) ADD_FAILURE() << "cgroup left: " << dir;
    std::set<std::string> mounts = MountsNaming(tmp());
    for (const auto& m : MountsNaming(id)) mounts.insert(m);
    for (const auto& m : mounts)
      if (!mounts_before.contains(m)) ADD_FAILURE() << "mount left: " << m;
  }
}

}  // namespace
}  // namespace cocoon::integration
