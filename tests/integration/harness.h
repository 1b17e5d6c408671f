// Integration-test harness: runs a runc-compatible runtime binary on private
// busybox bundles and cleans up after each test, whatever its outcome.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/unique_fd.h"

namespace cocoon::integration {

using json = nlohmann::json;
using namespace std::chrono_literals;

// How a command ended and what it printed.
struct RunResult {
  // The exit code, or 128 + the signal number when a signal ended it (the
  // convention runc uses for a container's exit status).
  int status = -1;
  bool timed_out = false;
  std::string out;
  std::string err;

  bool ok() const { return status == 0 && !timed_out; }
  // The command line, status and both outputs, for assertion messages.
  std::string Describe() const;
  std::string command;
};

struct RunOptions {
  std::string stdin_data;
  std::chrono::milliseconds timeout = 60s;
  // Extra NAME=VALUE entries added to the inherited environment.
  std::vector<std::string> env;
  std::string cwd;
};

// Runs argv (PATH is searched) with stdin from `stdin_data` and stdout and
// stderr captured in memory files, so that processes the command leaves
// running (a detached container) never block the caller. On timeout the
// command's process group is killed.
RunResult RunCommand(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs argv with a new pseudo-terminal as its controlling terminal and stdio,
// writes `input` to it, and collects everything the terminal shows until the
// command exits.
RunResult RunInPty(const std::vector<std::string>& argv, const std::string& input,
                   std::chrono::milliseconds timeout = 120s);

// The runtime under test: $COCOON_RUNTIME, else the built cocoon binary.
std::string RuntimePath();
// True when the runtime under test is runc (for documented deviations).
bool RuntimeIsRunc();
// The absolute path of `name` found in PATH, or "".
std::string FindInPath(const std::string& name);

// Whether a process exists and is not a zombie.
bool ProcessAlive(pid_t pid);
// The cgroup directories (on the host) a process belongs to, excluding
// hierarchy roots: one per mounted hierarchy.
std::vector<std::string> CgroupDirsOf(pid_t pid);
// Cgroup directories anywhere under /sys/fs/cgroup (a few levels deep) whose
// name contains `fragment`.
std::vector<std::string> FindCgroupDirs(const std::string& fragment);
// Pids of live processes whose environment contains the entry `marker_env`
// or whose cgroup path contains `cgroup_fragment` (a runtime's init helper
// may run with a cleared environment, but it is already in the cgroup).
std::vector<pid_t> ProcessesTaggedWith(const std::string& marker_env,
                                       const std::string& cgroup_fragment);
// Non-empty lines of `text`.
std::vector<std::string> Lines(const std::string& text);
// Leading and trailing whitespace removed.
std::string Trim(const std::string& text);
std::string ReadFileOrEmpty(const std::string& path);
void WriteTextFile(const std::string& path, const std::string& text);

// Receives the pty master a runtime sends over --console-socket (SCM_RIGHTS).
class ConsoleSocket {
 public:
  explicit ConsoleSocket(std::string path);
  ~ConsoleSocket();
  ConsoleSocket(const ConsoleSocket&) = delete;
  ConsoleSocket& operator=(const ConsoleSocket&) = delete;

  bool listening() const { return listen_fd_.valid(); }
  const std::string& path() const { return path_; }
  // Accepts one connection and returns the fd it carries, or an invalid fd
  // when nothing arrives within `timeout`.
  UniqueFd ReceiveMaster(std::chrono::milliseconds timeout = 20s);

 private:
  std::string path_;
  UniqueFd listen_fd_;
};

// Reads from fd until `needle` has been seen, EOF/EIO, or the timeout.
std::string ReadUntil(int fd, const std::string& needle, std::chrono::milliseconds timeout = 20s);

// A test with a private bundle, --root and container ids; TearDown deletes
// (with --force) every container it created and removes its temp dir.
class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs the runtime with `--root <private root>` and `args`.
  RunResult Run(const std::vector<std::string>& args, const std::string& stdin_data = "",
                std::chrono::milliseconds timeout = 60s);
  // A fresh container id (pid + counter); deleted in TearDown.
  std::string NewId();

  // The bundle's config.json, editable; Save() writes it back.
  json& config() { return config_; }
  void SaveConfig();
  void SetArgs(const std::vector<std::string>& args);

  // `run --bundle <bundle> <new id>` with `args` as the process; the config
  // is saved first.
  RunResult RunContainer(const std::vector<std::string>& args, const std::string& stdin_data = "");
  // Runs `sh -c script` in a container; returns its result.
  RunResult Sh(const std::string& script) { return RunContainer({"sh", "-c", script}); }
  // create + start a container running `args` (default: a long sleep).
  // Returns its id, or "" after recording a test failure.
  std::string StartContainer(const std::vector<std::string>& args = {"sleep", "1000"});
  // `create` only; returns the id or "".
  std::string CreateContainer(const std::vector<std::string>& args = {"sleep", "1000"},
                              const std::vector<std::string>& extra_flags = {});
  // The parsed `state` JSON, or null after recording a failure.
  json State(const std::string& id);
  // Polls `state` until the status is `status`; false on timeout.
  bool WaitForStatus(const std::string& id, const std::string& status,
                     std::chrono::milliseconds timeout = 20s);
  // Polls until a file exists and is non-empty; returns its contents or "".
  std::string WaitForFile(const std::string& path, std::chrono::milliseconds timeout = 20s);

  // Processes started by this test's runtime commands or containers.
  std::vector<pid_t> LeftoverProcesses() const { return ProcessesTaggedWith(marker_env(), tag_ + "-c"); }

  const std::string& tmp() const { return tmp_; }
  const std::string& bundle() const { return bundle_; }
  const std::string& rootfs() const { return rootfs_; }
  const std::string& root() const { return root_; }
  // NAME=VALUE put in the environment of every runtime command and of every
  // container process, to find anything they leave behind.
  std::string marker_env() const { return "COCOON_IT_TAG=" + tag_; }

 private:
  std::string tag_;
  std::string tmp_;
  std::string bundle_;
  std::string rootfs_;
  std::string root_;
  json config_;
  std::mutex ids_mu_;
  std::vector<std::string> ids_;
};

// Skips the current test (from SetUp or a test body) unless running as root.
#define COCOON_REQUIRE_ROOT()                                             \
  do {                                                                    \
    if (geteuid() != 0) GTEST_SKIP() << "integration tests need root";    \
  } while (0)

}  // namespace cocoon::integration
