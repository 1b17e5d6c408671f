// Terminals: `terminal: true` with --console-socket, for create and exec.
#include <filesystem>
#include <memory>

#include "base/file.h"
#include "harness.h"

namespace cocoon::integration {
namespace {

class ConsoleTest : public RuntimeTest {
 protected:
  void SetUp() override {
    RuntimeTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    socket_ = std::make_unique<ConsoleSocket>(tmp() + "/console.sock");
    ASSERT_TRUE(socket_->listening()) << "cannot listen on " << tmp() << "/console.sock";
  }

  std::unique_ptr<ConsoleSocket> socket_;
};

TEST_F(ConsoleTest, CreateSendsPtyMasterOverConsoleSocket) {
  config()["process"]["terminal"] = true;
  std::string id = CreateContainer({"sh", "-c", "tty; read line; echo got:$line; sleep 1000"},
                                   {"--console-socket", socket_->path()});
  ASSERT_NE(id, "");
  UniqueFd master = socket_->ReceiveMaster();
  ASSERT_TRUE(master.valid()) << "no pty master received";
  RunResult start = Run({"start", id});
  ASSERT_TRUE(start.ok()) << start.Describe();
  std::string seen = ReadUntil(master.get(), "/dev/pts/");
  EXPECT_NE(seen.find("/dev/pts/"), std::string::npos) << seen;
  ASSERT_TRUE(WriteAll(master.get(), "typed\n"));
  seen = ReadUntil(master.get(), "got:typed");
  EXPECT_NE(seen.find("got:typed"), std::string::npos) << seen;
}

TEST_F(ConsoleTest, TerminalWithoutConsoleSocketFails) {
  config()["process"]["terminal"] = true;
  SetArgs({"true"});
  SaveConfig();
  std::string id = NewId();
  RunResult r = Run({"create", "--bundle", bundle(), id});
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_FALSE(Lines(r.err).empty()) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(root() + "/" + id));
}

TEST_F(ConsoleTest, ExecWithTty) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  RunResult r = Run({"exec", "--tty", "--detach", "--console-socket", socket_->path(), id, "sh",
                     "-c", "tty; echo exec-ok; sleep 1000"});
  ASSERT_TRUE(r.ok()) << r.Describe();
  UniqueFd master = socket_->ReceiveMaster();
  ASSERT_TRUE(master.valid()) << "no pty master received";
  std::string seen = ReadUntil(master.get(), "exec-ok");
  EXPECT_NE(seen.find("/dev/pts/"), std::string::npos) << seen;
  EXPECT_NE(seen.find("exec-ok"), std::string::npos) << seen;
}

}  // namespace
}  // namespace cocoon::integration
