// podman drives the runtime under test: run, exec into a detached container,
// and an interactive -it run through a pty. Private storage, removed after.
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "harness.h"

namespace cocoon::integration {
namespace {

constexpr char kImage[] = "localhost/cocoon-it-busybox";

class PodmanTest : public RuntimeTest {
 protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (FindInPath("podman").empty()) GTEST_SKIP() << "podman is not installed";
    if (FindInPath("conmon").empty()) GTEST_SKIP() << "conmon (podman's monitor) is not installed";
    storage_ = tmp() + "/podman";
    libpod_parent_existed_ = std::filesystem::exists("/sys/fs/cgroup/pids/libpod_parent");
    // podman import reads a tarball of the root filesystem.
    RunResult tar = RunCommand({"tar", "-C", rootfs(), "-cf", tmp() + "/rootfs.tar", "."});
    ASSERT_TRUE(tar.ok()) << tar.Describe();
    RunResult import = Podman({"import", tmp() + "/rootfs.tar", kImage});
    ASSERT_TRUE(import.ok()) << import.Describe();
  }

  void TearDown() override {
    if (!storage_.empty()) {
      Podman({"rm", "--all", "--force", "--time", "0"});
      Podman({"rmi", "--all", "--force"});
      RemoveLibpodParent();
    }
    RuntimeTest::TearDown();  // also unmounts anything left under tmp()
  }

  // podman with private storage, the runtime under test and no host services.
  std::vector<std::string> PodmanArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"podman",
                                     "--root", storage_ + "/root",
                                     "--runroot", storage_ + "/runroot",
                                     "--tmpdir", storage_ + "/tmp",
                                     "--storage-driver", "vfs",
                                     "--runtime", RuntimePath(),
                                     "--cgroup-manager", "cgroupfs",
                                     "--events-backend", "file"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  RunResult Podman(const std::vector<std::string>& args) {
    return RunCommand(PodmanArgv(args), {.timeout = 120s, .env = {marker_env()}});
  }

  // Flags every container gets: no network, the brief's nofile limit and an
  // nproc limit below this host's hard limit (podman's default of 1048576
  // needs CAP_SYS_RESOURCE, which this machine's bounding set lacks).
  std::vector<std::string> ContainerFlags() const {
    rlimit nproc{};
    getrlimit(RLIMIT_NPROC, &nproc);
    rlim_t n = std::min<rlim_t>(nproc.rlim_max, 4096);
    return {"--network", "none", "--ulimit", "nofile=20000:20000", "--ulimit",
            fmt::format("nproc={}:{}", n, n)};
  }

  std::vector<std::string> RunArgs(const std::vector<std::string>& run_flags,
                                   const std::vector<std::string>& command) const {
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), run_flags.begin(), run_flags.end());
    auto flags = ContainerFlags();
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(kImage);
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }

  // podman leaves its (empty) conmon parent cgroup; remove it if we made it.
  void RemoveLibpodParent() {
    if (libpod_parent_existed_) return;
    for (const auto& dir : FindCgroupDirs("libpod_parent")) {
      rmdir((dir + "/conmon").c_str());
      rmdir(dir.c_str());
    }
  }

  std::string storage_;
  bool libpod_parent_existed_ = true;
};

TEST_F(PodmanTest, RunPrintsHi) {
  RunResult r = Podman(RunArgs({"--rm"}, {"echo", "hi"}));
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "hi\n") << r.Describe();
}

TEST_F(PodmanTest, RunAppliesUlimitAndExitStatus) {
  RunResult r = Podman(RunArgs({"--rm"}, {"sh", "-c", "ulimit -n; exit 7"}));
  EXPECT_EQ(r.status, 7) << r.Describe();
  EXPECT_EQ(r.out, "20000\n") << r.Describe();
}

TEST_F(PodmanTest, ExecIntoDetachedContainer) {
  RunResult r = Podman(RunArgs({"--detach", "--name", "cocoon-it-exec"}, {"sleep", "1000"}));
  ASSERT_EQ(r.status, 0) << r.Describe();
  r = Podman({"exec", "cocoon-it-exec", "sh", "-c", "echo exec-hi; exit 3"});
  EXPECT_EQ(r.status, 3) << r.Describe();
  EXPECT_EQ(r.out, "exec-hi\n") << r.Describe();
  r = Podman({"rm", "--force", "--time", "0", "cocoon-it-exec"});
  EXPECT_EQ(r.status, 0) << r.Describe();
}

TEST_F(PodmanTest, InteractiveTtyRun) {
  RunResult r = RunInPty(PodmanArgv(RunArgs({"--rm", "-it"}, {"sh"})),
                         "tty\necho $((6 * 7))\nexit 0\n");
  EXPECT_EQ(r.status, 0) << r.Describe();
  EXPECT_NE(r.out.find("/dev/pts/"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("42"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace cocoon::integration
