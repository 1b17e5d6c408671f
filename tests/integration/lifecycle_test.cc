// Container lifecycle through the CLI: run, create/start/state, list, kill,
// delete, pause/resume, ps, events and update, as a user sees them.
#include <signal.h>

#include <algorithm>
#include <future>
#include <thread>

#include "harness.h"

namespace cocoon::integration {
namespace {

using LifecycleTest = RuntimeTest;

TEST_F(LifecycleTest, RunPrintsOutputAndReturnsExitStatus) {
  RunResult r = Sh("echo hello; echo oops >&2; exit 3");
  EXPECT_EQ(r.status, 3) << r.Describe();
  EXPECT_EQ(r.out, "hello\n") << r.Describe();
  EXPECT_NE(r.err.find("oops"), std::string::npos) << r.Describe();
}

TEST_F(LifecycleTest, RunReturnsZeroAndReadsStdin) {
  RunResult r = RunContainer({"cat"}, "from stdin\n");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "from stdin\n") << r.Describe();
}

TEST_F(LifecycleTest, RunRemovesContainerAfterExit) {
  RunResult r = RunContainer({"true"});
  ASSERT_EQ(r.status, 0) << r.Describe();
  RunResult list = Run({"list", "-q"});
  EXPECT_TRUE(list.ok()) << list.Describe();
  EXPECT_EQ(Trim(list.out), "") << list.Describe();
}

TEST_F(LifecycleTest, ProcessKilledBySignalGives128PlusSignal) {
  // Without a pid namespace the shell is not an init and can kill itself.
  auto& ns = config()["linux"]["namespaces"];
  ns.erase(std::remove_if(ns.begin(), ns.end(),
                          [](const json& n) { return n["type"] == "pid"; }),
           ns.end());
  RunResult r = Sh("kill -KILL $$");
  EXPECT_EQ(r.status, 128 + SIGKILL) << r.Describe();
  r = Sh("kill -TERM $$");
  EXPECT_EQ(r.status, 128 + SIGTERM) << r.Describe();
}

TEST_F(LifecycleTest, ForegroundRunKilledFromOutsideGives137) {
  SetArgs({"sleep", "1000"});
  SaveConfig();
  std::string id = NewId();
  auto run = std::async(std::launch::async,
                        [&] { return Run({"run", "--bundle", bundle(), id}, "", 120s); });
  ASSERT_TRUE(WaitForStatus(id, "running")) << "container never reached running";
  RunResult kill = Run({"kill", id, "KILL"});
  EXPECT_TRUE(kill.ok()) << kill.Describe();
  RunResult r = run.get();
  EXPECT_EQ(r.status, 128 + SIGKILL) << r.Describe();
}

// The validation suite's killsig signals right after start: the program must
// already be exec'd (init, pid 1 without handlers, would drop the signal).
TEST_F(LifecycleTest, StartReturnsOnceTheProgramRuns) {
  SetArgs({"sleep", "30"});
  SaveConfig();
  std::string id = NewId();
  RunResult create = Run({"create", "--bundle", bundle(), id});
  ASSERT_TRUE(create.ok()) << create.Describe();
  int pid = State(id).value("pid", 0);
  ASSERT_GT(pid, 0);
  RunResult start = Run({"start", id});
  ASSERT_TRUE(start.ok()) << start.Describe();
  EXPECT_EQ(Trim(ReadFileOrEmpty("/proc/" + std::to_string(pid) + "/comm")), "sleep");
  ASSERT_TRUE(Run({"kill", id, "KILL"}).ok());
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  EXPECT_TRUE(Run({"delete", id}).ok());
}

TEST_F(LifecycleTest, CreateStartStateWalkThroughStatuses) {
  std::string id = CreateContainer();
  ASSERT_NE(id, "");
  json state = State(id);
  ASSERT_TRUE(state.is_object());
  EXPECT_EQ(state["id"], id);
  EXPECT_EQ(state["status"], "created");
  EXPECT_EQ(state["bundle"], bundle());
  EXPECT_FALSE(state["ociVersion"].get<std::string>().empty());
  int pid = state.value("pid", 0);
  EXPECT_GT(pid, 0);
  EXPECT_TRUE(ProcessAlive(pid));

  RunResult start = Run({"start", id});
  ASSERT_TRUE(start.ok()) << start.Describe();
  state = State(id);
  EXPECT_EQ(state["status"], "running");
  EXPECT_EQ(state.value("pid", 0), pid);

  ASSERT_TRUE(Run({"kill", id, "KILL"}).ok());
  EXPECT_TRUE(WaitForStatus(id, "stopped")) << "never stopped after SIGKILL";

  RunResult del = Run({"delete", id});
  EXPECT_TRUE(del.ok()) << del.Describe();
  RunResult gone = Run({"state", id});
  EXPECT_NE(gone.status, 0) << gone.Describe();
  EXPECT_NE(gone.err.find("does not exist"), std::string::npos) << gone.Describe();
}

TEST_F(LifecycleTest, StartingTwiceFails) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  RunResult again = Run({"start", id});
  EXPECT_NE(again.status, 0) << again.Describe();
  EXPECT_FALSE(Lines(again.err).empty()) << again.Describe();
}

TEST_F(LifecycleTest, CommandsOnMissingContainerSayDoesNotExist) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"state", "nosuch"},
                                             {"start", "nosuch"},
                                             {"kill", "nosuch", "KILL"},
                                             {"delete", "nosuch"},
                                             {"exec", "nosuch", "true"},
                                             {"pause", "nosuch"}}) {
    RunResult r = Run(args);
    EXPECT_NE(r.status, 0) << r.Describe();
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.Describe();
  }
}

TEST_F(LifecycleTest, RunDetachWritesPidFile) {
  SetArgs({"sleep", "1000"});
  SaveConfig();
  std::string id = NewId();
  std::string pid_file = tmp() + "/pid";
  RunResult r = Run({"run", "--detach", "--pid-file", pid_file, "--bundle", bundle(), id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  json state = State(id);
  ASSERT_TRUE(state.is_object());
  EXPECT_EQ(state["status"], "running");
  EXPECT_EQ(Trim(ReadFileOrEmpty(pid_file)), std::to_string(state.value("pid", -1)));
}

TEST_F(LifecycleTest, ListShowsTableJsonAndQuiet) {
  std::string running = StartContainer();
  ASSERT_NE(running, "");
  std::string created = CreateContainer();
  ASSERT_NE(created, "");

  RunResult table = Run({"list"});
  ASSERT_TRUE(table.ok()) << table.Describe();
  std::vector<std::string> lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 3u) << table.Describe();
  for (const char* column : {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column << "\n" << table.Describe();
  }
  auto row_of = [&](const std::string& id) {
    auto it = std::find_if(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.rfind(id + " ", 0) == 0; });
    return it == lines.end() ? std::string() : *it;
  };
  EXPECT_NE(row_of(running).find("running"), std::string::npos) << table.Describe();
  EXPECT_NE(row_of(created).find("created"), std::string::npos) << table.Describe();

  RunResult as_json = Run({"list", "--format", "json"});
  ASSERT_TRUE(as_json.ok()) << as_json.Describe();
  json list = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << as_json.Describe();
  ASSERT_EQ(list.size(), 2u);
  for (const auto& entry : list) {
    std::string id = entry["id"];
    EXPECT_TRUE(id == running || id == created) << id;
    EXPECT_EQ(entry["status"], id == running ? "running" : "created");
    EXPECT_GT(entry.value("pid", 0), 0);
    EXPECT_EQ(entry["bundle"], bundle());
  }

  RunResult quiet = Run({"list", "-q"});
  ASSERT_TRUE(quiet.ok()) << quiet.Describe();
  std::vector<std::string> ids = Lines(quiet.out);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = {running, created};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected) << quiet.Describe();
}

TEST_F(LifecycleTest, KillBySignalNameAndNumber) {
  // The trap writes which signal arrived into the (host-visible) rootfs.
  std::string id = StartContainer(
      {"sh", "-c",
       "trap 'echo usr1 >> /tmp/got' USR1; trap 'echo usr2 >> /tmp/got' USR2;"
       " while true; do sleep 0.05; done"});
  ASSERT_NE(id, "");
  std::string got = rootfs() + "/tmp/got";
  RunResult r = Run({"kill", id, "SIGUSR1"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(WaitForFile(got), "usr1\n");
  r = Run({"kill", id, std::to_string(SIGUSR2)});
  ASSERT_TRUE(r.ok()) << r.Describe();
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (ReadFileOrEmpty(got) != "usr1\nusr2\n" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(ReadFileOrEmpty(got), "usr1\nusr2\n");
  r = Run({"kill", id, "KILL"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
}

TEST_F(LifecycleTest, KillDefaultsToTerm) {
  std::string id = StartContainer({"sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.05; done"});
  ASSERT_NE(id, "");
  RunResult r = Run({"kill", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
}

TEST_F(LifecycleTest, KillAllStopsEveryProcess) {
  std::string id = StartContainer({"sh", "-c", "sleep 1000 & sleep 1000 & wait"});
  ASSERT_NE(id, "");
  ASSERT_TRUE(WaitForStatus(id, "running"));
  RunResult r = Run({"kill", "--all", id, "KILL"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!LeftoverProcesses().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(LeftoverProcesses().empty());
}

TEST_F(LifecycleTest, DeleteRunningWithoutForceFails) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  RunResult r = Run({"delete", id});
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_EQ(State(id).value("status", ""), "running");
}

TEST_F(LifecycleTest, DeleteForceOfRunningContainerLeavesNothing) {
  std::string id = StartContainer({"sh", "-c", "sleep 1000 & sleep 1000"});
  ASSERT_NE(id, "");
  json state = State(id);
  ASSERT_TRUE(state.is_object());
  int pid = state.value("pid", 0);
  ASSERT_GT(pid, 0);
  std::vector<std::string> cgroups = CgroupDirsOf(pid);
  EXPECT_FALSE(cgroups.empty()) << "the container has no cgroup of its own";
  ASSERT_TRUE(std::filesystem::exists(root() + "/" + id)) << "no state dir under --root";

  RunResult r = Run({"delete", "--force", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_FALSE(ProcessAlive(pid));
  EXPECT_TRUE(LeftoverProcesses().empty());
  EXPECT_FALSE(std::filesystem::exists(root() + "/" + id));
  for (const auto& dir : cgroups) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  RunResult gone = Run({"state", id});
  EXPECT_NE(gone.err.find("does not exist"), std::string::npos) << gone.Describe();
}

TEST_F(LifecycleTest, DeleteForceOfCreatedContainerLeavesNothing) {
  std::string id = CreateContainer();
  ASSERT_NE(id, "");
  int pid = State(id).value("pid", 0);
  std::vector<std::string> cgroups = CgroupDirsOf(pid);
  RunResult r = Run({"delete", "--force", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_FALSE(ProcessAlive(pid));
  EXPECT_TRUE(LeftoverProcesses().empty());
  EXPECT_FALSE(std::filesystem::exists(root() + "/" + id));
  for (const auto& dir : cgroups) EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST_F(LifecycleTest, PauseAndResume) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  RunResult r = Run({"pause", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(State(id).value("status", ""), "paused");
  RunResult list = Run({"list"});
  EXPECT_NE(list.out.find("paused"), std::string::npos) << list.Describe();
  r = Run({"resume", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(State(id).value("status", ""), "running");
}

TEST_F(LifecycleTest, PsListsContainerProcesses) {
  std::string id = StartContainer({"sh", "-c", "sleep 1000 & wait"});
  ASSERT_NE(id, "");
  int pid = State(id).value("pid", 0);
  RunResult table = Run({"ps", id});
  ASSERT_TRUE(table.ok()) << table.Describe();
  std::vector<std::string> lines = Lines(table.out);
  ASSERT_GE(lines.size(), 2u) << table.Describe();
  EXPECT_NE(lines[0].find("PID"), std::string::npos) << table.Describe();
  EXPECT_NE(table.out.find("sleep"), std::string::npos) << table.Describe();

  RunResult as_json = Run({"ps", "--format", "json", id});
  ASSERT_TRUE(as_json.ok()) << as_json.Describe();
  json pids = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << as_json.Describe();
  EXPECT_GE(pids.size(), 2u) << as_json.Describe();
  EXPECT_NE(std::find(pids.begin(), pids.end(), json(pid)), pids.end()) << as_json.Describe();
}

TEST_F(LifecycleTest, EventsStatsPrintsOneStatsLine) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  RunResult r = Run({"events", "--stats", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.Describe();
  json event = json::parse(lines[0], nullptr, false);
  ASSERT_TRUE(event.is_object()) << r.Describe();
  EXPECT_EQ(event["type"], "stats");
  EXPECT_EQ(event["id"], id);
  ASSERT_TRUE(event["data"].is_object()) << r.Describe();
  EXPECT_TRUE(event["data"].contains("memory")) << r.Describe();
  EXPECT_GE(event["data"]["pids"].value("current", 0), 1) << r.Describe();
}

// Reads a cgroup file of the container's own cgroups on the host (v1 or v2).
std::string ReadContainerCgroupFile(pid_t pid, const std::vector<std::string>& names) {
  for (const auto& dir : CgroupDirsOf(pid)) {
    for (const auto& name : names) {
      std::string value = Trim(ReadFileOrEmpty(dir + "/" + name));
      if (!value.empty()) return value;
    }
  }
  return "";
}

TEST_F(LifecycleTest, UpdateChangesMemoryAndPidsLimits) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  int pid = State(id).value("pid", 0);
  RunResult r = Run({"update", "--memory", "67108864", "--pids-limit", "50", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(ReadContainerCgroupFile(pid, {"memory.limit_in_bytes", "memory.max"}), "67108864");
  EXPECT_EQ(ReadContainerCgroupFile(pid, {"pids.max"}), "50");

  // The same through a --resources file.
  WriteTextFile(tmp() + "/resources.json", R"({"pids": {"limit": 77}})");
  r = Run({"update", "--resources", tmp() + "/resources.json", id});
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(ReadContainerCgroupFile(pid, {"pids.max"}), "77");
}

}  // namespace
}  // namespace cocoon::integration
