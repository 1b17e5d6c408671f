// Sandboxed containers (the ptrace platform) through the real binary: the
// same bundle natively and in the sandbox prints the same thing; the
// lifecycle, exec, ps, kill and delete work through the sandbox's control
// RPC; the guest's writes stay in the sandbox; the console; `cocoon do`.
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <future>

#include "base/file.h"
#include "harness.h"

namespace cocoon::integration {
namespace {

class SandboxTest : public RuntimeTest {
 protected:
  void SetUp() override {
    COCOON_REQUIRE_ROOT();
    if (RuntimePath().find("cocoon") == std::string::npos)
      GTEST_SKIP() << "the sandbox is Cocoon's own: " << RuntimePath() << " has none";
    RuntimeTest::SetUp();
    config()["process"]["terminal"] = false;
  }
  void Sandboxed() { config()["annotations"]["dev.cocoon.platform"] = "ptrace"; }
  pid_t PidOf(const std::string& id) { return State(id).value("pid", 0); }
};

// The acceptance script, minus what is the kernel's own by design (/dev,
// /proc and /sys: their sizes, link counts and mount times).
constexpr const char* kScript =
    "echo hello; ls -l / | grep -v -e '^total' -e ' dev$' -e ' proc$' -e ' sys$'; cat /etc/passwd | wc -l; "
    "for i in 1 2 3; do echo $i; done; uname -n; exit 3";

TEST_F(SandboxTest, ScriptPrintsWhatItPrintsNatively) {
  config()["hostname"] = "spec-host";
  RunResult native = Sh(kScript);
  ASSERT_EQ(native.status, 3) << native.Describe();
  Sandboxed();
  RunResult sandboxed = Sh(kScript);
  EXPECT_EQ(sandboxed.status, 3) << sandboxed.Describe();
  EXPECT_EQ(sandboxed.out, native.out) << sandboxed.Describe();
  EXPECT_NE(sandboxed.out.find("bin"), std::string::npos) << sandboxed.Describe();
  EXPECT_NE(sandboxed.out.find("3\nspec-host\n"), std::string::npos) << sandboxed.Describe();
}

TEST_F(SandboxTest, PlatformFlagSelectsTheSandbox) {
  SetArgs({"sh", "-c", "cat /proc/1/status | head -1; exit 4"});
  SaveConfig();
  RunResult r = Run({"--platform=ptrace", "run", "--bundle", bundle(), NewId()});
  EXPECT_EQ(r.status, 4) << r.Describe();
  EXPECT_EQ(r.out, "Name:\tsh\n") << r.Describe();
}

TEST_F(SandboxTest, LifecycleExecPsKillDeleteGoThroughTheSandbox) {
  Sandboxed();
  std::string id = CreateContainer({"sh", "-c", "trap 'exit 7' TERM; while true; do sleep 1; done"});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(State(id).value("status", ""), "created");
  pid_t sandbox = PidOf(id);
  ASSERT_GT(sandbox, 0);
  EXPECT_TRUE(ProcessAlive(sandbox));
  RunResult start = Run({"start", id});
  ASSERT_TRUE(start.ok()) << start.Describe();
  EXPECT_EQ(State(id).value("status", ""), "running");
  RunResult list = Run({"list", "-q"});
  EXPECT_EQ(Trim(list.out), id) << list.Describe();

  RunResult exec = Run({"exec", id, "sh", "-c", "echo in $(cat /proc/1/comm); ps -o pid,comm | sed 1d; exit 5"});
  EXPECT_EQ(exec.status, 5) << exec.Describe();
  EXPECT_NE(exec.out.find("in sh"), std::string::npos) << exec.Describe();
  // Only the sandbox's processes, with the sandbox's pids: init is 1.
  EXPECT_NE(exec.out.find("    1 sh"), std::string::npos) << exec.Describe();
  EXPECT_EQ(exec.out.find("cocoon"), std::string::npos) << exec.Describe();

  RunResult ps = Run({"ps", "--format", "json", id});
  ASSERT_TRUE(ps.ok()) << ps.Describe();
  json pids = json::parse(ps.out);
  ASSERT_TRUE(pids.is_array()) << ps.out;
  EXPECT_EQ(pids.at(0), 1) << ps.out;
  RunResult table = Run({"ps", id});
  EXPECT_NE(table.out.find("PID"), std::string::npos) << table.Describe();
  EXPECT_NE(table.out.find(" sh"), std::string::npos) << table.Describe();

  RunResult kill = Run({"kill", id, "TERM"});
  ASSERT_TRUE(kill.ok()) << kill.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped")) << "the trap's exit never came";
  RunResult del = Run({"delete", id});
  EXPECT_TRUE(del.ok()) << del.Describe();
  EXPECT_FALSE(ProcessAlive(sandbox));
  EXPECT_TRUE(LeftoverProcesses().empty());
  RunResult gone = Run({"state", id});
  EXPECT_NE(gone.err.find("does not exist"), std::string::npos) << gone.Describe();
}

TEST_F(SandboxTest, InitIgnoresUnhandledTermButNotKillAsWithRunc) {
  Sandboxed();
  std::string id = StartContainer({"sleep", "1000"});
  ASSERT_FALSE(id.empty());
  RunResult term = Run({"kill", id, "TERM"});
  ASSERT_TRUE(term.ok()) << term.Describe();
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(State(id).value("status", ""), "running");
  RunResult kill = Run({"kill", id, "KILL"});
  ASSERT_TRUE(kill.ok()) << kill.Describe();
  EXPECT_TRUE(WaitForStatus(id, "stopped"));
}

TEST_F(SandboxTest, ForegroundRunReturnsTheStatusOfAKill) {
  Sandboxed();
  SetArgs({"sleep", "1000"});
  SaveConfig();
  std::string id = NewId();
  auto run = std::async(std::launch::async, [&] { return Run({"run", "--bundle", bundle(), id}, "", 120s); });
  ASSERT_TRUE(WaitForStatus(id, "running"));
  RunResult kill = Run({"kill", id, "KILL"});
  EXPECT_TRUE(kill.ok()) << kill.Describe();
  RunResult r = run.get();
  EXPECT_EQ(r.status, 128 + SIGKILL) << r.Describe();
}

TEST_F(SandboxTest, GuestWritesNeverReachTheHostRoot) {
  Sandboxed();
  RunResult r = Sh("echo secret > /written && mkdir /newdir && echo ok > /etc/passwd && cat /written /etc/passwd");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "secret\nok\n") << r.Describe();
  struct stat st;
  EXPECT_NE(::stat((rootfs() + "/written").c_str(), &st), 0);
  EXPECT_NE(::stat((rootfs() + "/newdir").c_str(), &st), 0);
  EXPECT_NE(ReadFileOrEmpty(rootfs() + "/etc/passwd"), "ok\n");
}

TEST_F(SandboxTest, DeleteForceOfARunningSandboxLeavesNothing) {
  Sandboxed();
  std::string id = StartContainer({"sh", "-c", "sleep 1000 & sleep 1000"});
  ASSERT_FALSE(id.empty());
  pid_t sandbox = PidOf(id);
  std::vector<std::string> cgroups = CgroupDirsOf(sandbox);
  EXPECT_FALSE(cgroups.empty());
  RunResult del = Run({"delete", "--force", id});
  ASSERT_TRUE(del.ok()) << del.Describe();
  EXPECT_FALSE(ProcessAlive(sandbox));
  EXPECT_TRUE(LeftoverProcesses().empty());
  for (const auto& dir : cgroups) {
    struct stat st;
    EXPECT_NE(::stat(dir.c_str(), &st), 0) << dir << " survived";
  }
  struct stat st;
  EXPECT_NE(::stat((root() + "/" + id).c_str(), &st), 0);
}

TEST_F(SandboxTest, SandboxRunsAsNobodyInItsOwnNamespaces) {
  Sandboxed();
  std::string id = StartContainer({"sleep", "1000"});
  ASSERT_FALSE(id.empty());
  pid_t sandbox = PidOf(id);
  std::string status = ReadFileOrEmpty("/proc/" + std::to_string(sandbox) + "/status");
  EXPECT_NE(status.find("Uid:\t65534\t65534\t65534\t65534"), std::string::npos) << status;
  EXPECT_NE(status.find("CapEff:\t0000000000000000"), std::string::npos) << status;
  EXPECT_NE(status.find("Seccomp:\t2"), std::string::npos) << status;
  EXPECT_NE(status.find("NoNewPrivs:\t1"), std::string::npos) << status;
  for (const char* ns : {"user", "mnt", "pid", "ipc", "uts", "net"}) {
    char ours[64] = {}, theirs[64] = {};
    ASSERT_GT(::readlink((std::string("/proc/self/ns/") + ns).c_str(), ours, sizeof ours - 1), 0);
    ASSERT_GT(::readlink(("/proc/" + std::to_string(sandbox) + "/ns/" + ns).c_str(), theirs, sizeof theirs - 1), 0);
    EXPECT_STRNE(ours, theirs) << ns;
  }
  // Its root is an empty read-only tmpfs: the container's files come from the gofer.
  std::string mounts = ReadFileOrEmpty("/proc/" + std::to_string(sandbox) + "/mounts");
  EXPECT_EQ(Lines(mounts).size(), 1u) << mounts;
  EXPECT_TRUE(mounts.starts_with("cocoon-sandbox / tmpfs ro,")) << mounts;
}

TEST_F(SandboxTest, BindMountsAreServedByTheGofer) {
  Sandboxed();
  std::string rw = tmp() + "/rw", ro = tmp() + "/ro";
  ASSERT_EQ(::mkdir(rw.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(ro.c_str(), 0755), 0);
  WriteTextFile(ro + "/in", "from the host\n");
  config()["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", rw}, {"options", {"rbind"}}});
  config()["mounts"].push_back(
      {{"destination", "/config"}, {"type", "bind"}, {"source", ro}, {"options", {"rbind", "ro"}}});
  RunResult r = Sh("cat /config/in; echo out > /data/out; echo no > /config/x || echo refused");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "from the host\nrefused\n") << r.Describe();
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.Describe();
  EXPECT_EQ(ReadFileOrEmpty(rw + "/out"), "out\n");
  struct stat st;
  EXPECT_NE(::stat((ro + "/x").c_str(), &st), 0);
}

TEST_F(SandboxTest, RuntimeHooksRunInOrderWithTheSandboxState) {
  Sandboxed();
  std::string log = tmp() + "/hooks.log";
  for (const char* kind : {"prestart", "createRuntime", "poststart", "poststop"}) {
    // Each hook records its name and the state's status from stdin.
    std::string script = std::string("read s; echo ") + kind +
                         " $(echo \"$s\" | grep -o '\"status\":\"[a-z]*\"') >> " + log;
    config()["hooks"][kind] = json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}}});
  }
  RunResult r = Sh("echo ran");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(ReadFileOrEmpty(log),
            "prestart \"status\":\"created\"\ncreateRuntime \"status\":\"creating\"\n"
            "poststart \"status\":\"running\"\npoststop \"status\":\"stopped\"\n");
}

TEST_F(SandboxTest, StraceLogsEveryGuestSyscallToTheLog) {
  Sandboxed();
  SetArgs({"sh", "-c", "echo traced"});
  SaveConfig();
  std::string log = tmp() + "/sandbox.log";
  RunResult r = Run({"--strace", "--log", log, "run", "--bundle", bundle(), NewId()});
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "traced\n") << r.Describe();
  std::string text = ReadFileOrEmpty(log);
  EXPECT_NE(text.find("[1] write(1, "), std::string::npos) << text;
  EXPECT_NE(text.find(", 7) = 7"), std::string::npos) << text;
}

TEST_F(SandboxTest, UnknownPlatformIsAClearErrorAndLeavesNothing) {
  config()["annotations"]["dev.cocoon.platform"] = "warp";
  SaveConfig();
  std::string id = NewId();
  RunResult r = Run({"create", "--bundle", bundle(), id});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("annotation dev.cocoon.platform: unknown platform \"warp\""), std::string::npos)
      << r.Describe();
  struct stat st;
  EXPECT_NE(::stat((root() + "/" + id).c_str(), &st), 0);
  RunResult flag = Run({"--platform=warp", "list"});
  EXPECT_NE(flag.status, 0);
  EXPECT_NE(flag.err.find("--platform: unknown platform \"warp\""), std::string::npos) << flag.Describe();
}

TEST_F(SandboxTest, DoRunsAHostCommandInAThrowawaySandbox) {
  RunResult r = Run({"do", "sh", "-c", "echo from do > /tmp/cocoon-do-probe; cat /tmp/cocoon-do-probe; exit 6"});
  EXPECT_EQ(r.status, 6) << r.Describe();
  EXPECT_EQ(r.out, "from do\n") << r.Describe();
  struct stat st;
  EXPECT_NE(::stat("/tmp/cocoon-do-probe", &st), 0) << "the guest's write reached the host";
  RunResult list = Run({"list", "-q"});
  EXPECT_EQ(Trim(list.out), "") << list.Describe();
}

TEST_F(SandboxTest, TerminalIsThePtySentOverTheConsoleSocket) {
  ConsoleSocket socket(tmp() + "/console.sock");
  ASSERT_TRUE(socket.listening());
  Sandboxed();
  config()["process"]["terminal"] = true;
  // stty reads the termios and window size through the kernel's tty ioctls.
  std::string id = CreateContainer({"sh", "-c", "test -t 0 && echo is-a-tty; stty size; read line; echo got:$line"},
                                   {"--console-socket", socket.path()});
  ASSERT_NE(id, "");
  UniqueFd master = socket.ReceiveMaster();
  ASSERT_TRUE(master.valid()) << "no pty master received";
  winsize size{.ws_row = 33, .ws_col = 101};
  ASSERT_EQ(ioctl(master.get(), TIOCSWINSZ, &size), 0);
  RunResult start = Run({"start", id});
  ASSERT_TRUE(start.ok()) << start.Describe();
  std::string seen = ReadUntil(master.get(), "33 101");
  EXPECT_NE(seen.find("is-a-tty"), std::string::npos) << seen;
  EXPECT_NE(seen.find("33 101"), std::string::npos) << seen;
  ASSERT_TRUE(WriteAll(master.get(), "typed\n"));
  seen = ReadUntil(master.get(), "got:typed");
  EXPECT_NE(seen.find("got:typed"), std::string::npos) << seen;
}

}  // namespace
}  // namespace cocoon::integration
