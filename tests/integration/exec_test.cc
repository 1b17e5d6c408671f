// `exec` into a running container: args, env, cwd, user, exit status,
// --detach, --pid-file and --process files.
#include "harness.h"

namespace cocoon::integration {
namespace {

class ExecTest : public RuntimeTest {
 protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    id_ = StartContainer();
    ASSERT_NE(id_, "");
  }

  // `exec [flags] <id> args`.
  RunResult Exec(const std::vector<std::string>& flags, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"exec"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.push_back(id_);
    argv.insert(argv.end(), args.begin(), args.end());
    return Run(argv);
  }
  RunResult Exec(const std::vector<std::string>& args) { return Exec({}, args); }

  std::string id_;
};

TEST_F(ExecTest, RunsArgsAndPrintsOutput) {
  RunResult r = Exec({"echo", "a", "b c"});
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "a b c\n") << r.Describe();
}

TEST_F(ExecTest, ReturnsExitStatusOfProcess) {
  RunResult r = Exec({"sh", "-c", "exit 5"});
  EXPECT_EQ(r.status, 5) << r.Describe();
  r = Exec({"sh", "-c", "kill -KILL $$"});
  EXPECT_EQ(r.status, 137) << r.Describe();
}

TEST_F(ExecTest, PassesStdin) {
  std::vector<std::string> args = {"exec", id_, "cat"};
  RunResult r = Run(args, "piped\n");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "piped\n") << r.Describe();
}

TEST_F(ExecTest, EnvCwdAndUser) {
  RunResult r = Exec({"--env", "FOO=bar"}, {"sh", "-c", "echo $FOO"});
  EXPECT_EQ(r.out, "bar\n") << r.Describe();
  r = Exec({"--cwd", "/tmp"}, {"pwd"});
  EXPECT_EQ(r.out, "/tmp\n") << r.Describe();
  r = Exec({"--user", "65534:65534"}, {"sh", "-c", "id -u; id -g"});
  EXPECT_EQ(r.out, "65534\n65534\n") << r.Describe();
  r = Exec({"--user", "1000"}, {"id", "-u"});
  EXPECT_EQ(r.out, "1000\n") << r.Describe();
}

TEST_F(ExecTest, SeesTheContainersNamespaces) {
  RunResult r = Exec({"hostname"});
  EXPECT_EQ(r.out, "cocoon\n") << r.Describe();
  // Same pid namespace: the container's init is pid 1.
  r = Exec({"cat", "/proc/1/cmdline"});
  EXPECT_EQ(r.out, std::string("sleep\0" "1000\0", 11)) << r.Describe();
}

TEST_F(ExecTest, DetachReturnsAtOnceAndProcessRuns) {
  std::string pid_file = tmp() + "/exec.pid";
  RunResult r = Exec({"--detach", "--pid-file", pid_file}, {"sh", "-c", "echo done > /tmp/detached"});
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(WaitForFile(rootfs() + "/tmp/detached"), "done\n");
  EXPECT_GT(std::stoi("0" + Trim(ReadFileOrEmpty(pid_file))), 0);
}

TEST_F(ExecTest, ProcessFile) {
  json process = {{"args", {"sh", "-c", "echo $GREETING from $(pwd) as $(id -u)"}},
                  {"env", {"PATH=/bin:/usr/bin", "GREETING=hello"}},
                  {"cwd", "/etc"},
                  {"user", {{"uid", 65534}, {"gid", 65534}}},
                  {"terminal", false}};
  WriteTextFile(tmp() + "/process.json", process.dump());
  RunResult r = Run({"exec", "--process", tmp() + "/process.json", id_});
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "hello from /etc as 65534\n") << r.Describe();
}

TEST_F(ExecTest, MissingBinaryFails) {
  RunResult r = Exec({"/no/such/binary"});
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_FALSE(Lines(r.err).empty()) << r.Describe();
}

}  // namespace
}  // namespace cocoon::integration
