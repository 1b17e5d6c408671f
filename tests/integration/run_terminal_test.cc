// Foreground `run` with `terminal: true` and no --console-socket: the runtime
// proxies the container's pty to its own terminal, whose window size the pty
// starts with and follows on SIGWINCH.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <thread>

#include "base/file.h"
#include "harness.h"

namespace cocoon::integration {
namespace {

using RunTerminalTest = RuntimeTest;

TEST_F(RunTerminalTest, PtyFollowsTheRuntimesWindowSize) {
  config()["process"]["terminal"] = true;
  SetArgs({"sh", "-c", "stty size; read x; stty size"});
  SaveConfig();
  std::string id = NewId();

  // The terminal the runtime runs in, as a shell would give it.
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  ASSERT_TRUE(master.valid() && grantpt(master.get()) == 0 && unlockpt(master.get()) == 0) << strerror(errno);
  std::string slave_path = ptsname(master.get());
  winsize size{.ws_row = 31, .ws_col = 101, .ws_xpixel = 0, .ws_ypixel = 0};
  ASSERT_EQ(ioctl(master.get(), TIOCSWINSZ, &size), 0);

  std::vector<std::string> argv = {RuntimePath(), "--root", root(), "run", "--bundle", bundle(), id};
  std::vector<char*> cargs;
  for (auto& a : argv) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::string marker = marker_env();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setsid();
    int slave = open(slave_path.c_str(), O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) _exit(126);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) _exit(126);
    if (slave > 2) close(slave);
    putenv(marker.data());
    execv(cargs[0], cargs.data());
    _exit(127);
  }

  std::string seen = ReadUntil(master.get(), "31 101");
  EXPECT_NE(seen.find("31 101"), std::string::npos) << "first size: " << seen;

  // The kernel signals the terminal's foreground group (the runtime) on a
  // size change; say it once more in case the runtime is elsewhere.
  size = {.ws_row = 42, .ws_col = 123, .ws_xpixel = 0, .ws_ypixel = 0};
  ASSERT_EQ(ioctl(master.get(), TIOCSWINSZ, &size), 0);
  kill(pid, SIGWINCH);
  // The proxy copies the size when it handles the signal, but the test
  // cannot see when that is: give it a moment before the container reads.
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(WriteAll(master.get(), "go\n"));
  seen = ReadUntil(master.get(), "42 123");
  EXPECT_NE(seen.find("42 123"), std::string::npos) << "size after SIGWINCH: " << seen;

  int status = 0;
  bool exited = false;
  for (int i = 0; i < 2000 && !exited; ++i) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    exited = done == pid;
    if (!exited) std::this_thread::sleep_for(10ms);
  }
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(exited) << "run did not exit";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "run status " << status;
}

}  // namespace
}  // namespace cocoon::integration
