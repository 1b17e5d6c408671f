// Tests for hooks: argv, exact env, state on stdin, stdout passed through,
// exit status and signal reporting, timeouts, and the per-phase failure rules.
#include "oci/hooks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/file.h"

namespace cocoon::oci {
namespace {

class HooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("cocoon-oci-hooks-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  std::string Slurp(const std::string& name) {
    std::ifstream in(Path(name));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  // A /bin/sh hook running `script`.
  static Hook Sh(const std::string& script, std::vector<std::string> env = {}) {
    return Hook{.path = "/bin/sh", .args = {"sh", "-c", script}, .env = std::move(env)};
  }

  std::filesystem::path dir_;
};

TEST_F(HooksTest, StateJsonArrivesOnStdin) {
  const std::string state = R"({"ociVersion":"1.0.2-dev","id":"c1","status":"created"})";
  ASSERT_TRUE(RunHook(Sh("cat > " + Path("stdin")), state));
  EXPECT_EQ(Slurp("stdin"), state);
}

TEST_F(HooksTest, HookThatIgnoresStdinDoesNotBlock) {
  // Larger than a pipe buffer: a pipe-based writer would block or take SIGPIPE.
  std::string big(1 << 20, 'x');
  ASSERT_TRUE(RunHook(Sh("exit 0"), big));
}

TEST_F(HooksTest, EnvironmentIsExactlyHookEnv) {
  // env(1) itself, so no shell adds variables; its stdout is ours, captured.
  Hook hook{.path = "/usr/bin/env", .args = {"env"}, .env = {"A=1", "B=two words"}};
  if (::access(hook.path.c_str(), X_OK) != 0) GTEST_SKIP() << "no /usr/bin/env";
  auto out = OpenFile(Path("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_TRUE(out);
  fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  ::dup2(out->get(), STDOUT_FILENO);
  auto result = RunHook(hook, "{}");
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_EQ(Slurp("stdout"), "A=1\nB=two words\n");

  ASSERT_TRUE(RunHook({.path = "/usr/bin/env", .args = {"env"}}, "{}").has_value());
}

TEST_F(HooksTest, ArgsZeroIsArgvZero) {
  // sh's $0 is not argv[0] under -c, so read the real argv from /proc.
  Hook hook{.path = "/bin/sh",
            .args = {"my-hook", "-c", "tr '\\0' ' ' < /proc/$$/cmdline > " + Path("argv"), "x"}};
  ASSERT_TRUE(RunHook(hook, "{}"));
  EXPECT_EQ(Slurp("argv").rfind("my-hook -c ", 0), 0u) << Slurp("argv");
}

TEST_F(HooksTest, EmptyArgsUsePathAsArgvZero) {
  // Without args sh runs the script it reads on stdin, which is the state JSON.
  std::string script = "tr '\\0' ' ' < /proc/$$/cmdline > " + Path("argv");
  ASSERT_TRUE(RunHook({.path = "/bin/sh"}, script));
  EXPECT_EQ(Slurp("argv"), "/bin/sh ");
}

TEST_F(HooksTest, NonZeroExitIsReported) {
  auto result = RunHook(Sh("exit 3"), "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "hook /bin/sh: exited with status 3");
  auto phased = RunHooks({Sh("exit 3")}, "{}", kPrestart);
  ASSERT_FALSE(phased);
  EXPECT_EQ(phased.error().message(), "prestart hook /bin/sh: exited with status 3");
}

TEST_F(HooksTest, DeathBySignalIsReported) {
  auto result = RunHook(Sh("kill -SEGV $$"), "{}");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "hook /bin/sh: killed by signal SIGSEGV");
}

TEST_F(HooksTest, ExecFailureIsReported) {
  auto result = RunHooks({{.path = Path("missing")}}, "{}", kCreateRuntime);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "createRuntime hook " + Path("missing") + ": exec: ENOENT (No such file or directory)");
  EXPECT_EQ(result.error().code(), ENOENT);
}

TEST_F(HooksTest, TimeoutKillsTheHookAndItsChildren) {
  // The shell forks a sleeper and records its pid; both must die at the timeout.
  Hook hook = Sh("sleep 100 & echo $! > " + Path("child") + "; wait");
  hook.timeout = 1;
  auto result = RunHooks({hook}, "{}", kStartContainer);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(),
            "startContainer hook /bin/sh: timed out after 1s and was killed");
  pid_t child = std::stoi(Slurp("child"));
  // SIGKILL was sent to the group; wait (bounded) until the sleeper is gone or a zombie.
  bool dead = false;
  for (int i = 0; i < 1000 && !dead; ++i) {
    std::string stat;
    std::ifstream in("/proc/" + std::to_string(child) + "/stat");
    std::getline(in, stat);
    auto close = stat.rfind(')');
    dead = stat.empty() || (close != std::string::npos && stat.size() > close + 2 &&
                            (stat[close + 2] == 'Z' || stat[close + 2] == 'X'));
    if (!dead) ::usleep(10'000);
  }
  EXPECT_TRUE(dead) << "the hook's child " << child << " survived the timeout";
}

TEST_F(HooksTest, FastHookWithTimeoutSucceeds) {
  Hook hook = Sh("exit 0");
  hook.timeout = 30;
  EXPECT_TRUE(RunHook(hook, "{}"));
}

TEST_F(HooksTest, FatalPhasesStopAtTheFirstFailure) {
  std::vector<Hook> hooks{Sh("echo 1 >> " + Path("log")), Sh("exit 2"),
                          Sh("echo 3 >> " + Path("log"))};
  auto result = RunHooks(hooks, "{}", kCreateContainer);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message(), "createContainer hook /bin/sh: exited with status 2");
  EXPECT_EQ(Slurp("log"), "1\n");
}

TEST_F(HooksTest, PoststartAndPoststopFailuresOnlyWarn) {
  std::vector<Hook> hooks{Sh("echo 1 >> " + Path("log")), Sh("exit 2"),
                          Sh("echo 3 >> " + Path("log"))};
  EXPECT_TRUE(RunHooks(hooks, "{}", kPoststop));
  EXPECT_TRUE(RunHooks(hooks, "{}", kPoststart));
  EXPECT_EQ(Slurp("log"), "1\n3\n1\n3\n");
}

TEST(HookPhasesTest, PhaseTable) {
  EXPECT_TRUE(HookFailureIsFatal(kPrestart));
  EXPECT_TRUE(HookFailureIsFatal(kStartContainer));
  EXPECT_FALSE(HookFailureIsFatal(kPoststart));
  EXPECT_FALSE(HookFailureIsFatal(kPoststop));
  Hooks hooks;
  hooks.create_runtime.push_back({.path = "/x"});
  ASSERT_NE(HooksForPhase(hooks, kCreateRuntime), nullptr);
  EXPECT_EQ(HooksForPhase(hooks, kCreateRuntime)->at(0).path, "/x");
  EXPECT_TRUE(HooksForPhase(hooks, kPoststop)->empty());
  EXPECT_EQ(HooksForPhase(hooks, "bogus"), nullptr);
}

}  // namespace
}  // namespace cocoon::oci
