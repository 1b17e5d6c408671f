// Concurrent commands on one container id serialize and all succeed.
#include <future>
#include <vector>

#include "harness.h"

namespace cocoon::integration {
namespace {

using ConcurrencyTest = RuntimeTest;

TEST_F(ConcurrencyTest, ParallelStateAndKillOnOneId) {
  std::string id = StartContainer();
  ASSERT_NE(id, "");
  std::vector<std::future<RunResult>> results;
  for (int i = 0; i < 8; ++i) {
    // SIGWINCH is ignored by default, so the container keeps running.
    std::vector<std::string> args =
        i % 2 == 0 ? std::vector<std::string>{"state", id} : std::vector<std::string>{"kill", id, "WINCH"};
    results.push_back(std::async(std::launch::async, [this, args] { return Run(args); }));
  }
  for (auto& result : results) {
    RunResult r = result.get();
    EXPECT_TRUE(r.ok()) << r.Describe();
    if (r.command.find(" state ") != std::string::npos) {
      json state = json::parse(r.out, nullptr, false);
      EXPECT_EQ(state.value("status", ""), "running") << r.Describe();
    }
  }
  EXPECT_EQ(State(id).value("status", ""), "running");
}

TEST_F(ConcurrencyTest, ParallelCreatesOfOneIdOnlyOneWins) {
  if (RuntimeIsRunc()) {
    GTEST_SKIP() << "runc 1.1 takes no lock in create: parallel creates of one id race "
                    "(0 or 2 of them succeed); issue 2 requires them to serialize";
  }
  SetArgs({"sleep", "1000"});
  SaveConfig();
  std::string id = NewId();
  std::vector<std::future<RunResult>> results;
  for (int i = 0; i < 4; ++i) {
    results.push_back(std::async(std::launch::async,
                                 [&] { return Run({"create", "--bundle", bundle(), id}); }));
  }
  int successes = 0;
  std::string outputs;
  for (auto& result : results) {
    RunResult r = result.get();
    successes += r.ok() ? 1 : 0;
    outputs += r.Describe() + "\n";
  }
  EXPECT_EQ(successes, 1) << outputs;
  EXPECT_EQ(State(id).value("status", ""), "created");
}

TEST_F(ConcurrencyTest, ManyContainersInParallel) {
  std::vector<std::future<RunResult>> results;
  SetArgs({"sh", "-c", "echo parallel"});
  SaveConfig();
  for (int i = 0; i < 4; ++i) {
    std::string id = NewId();
    results.push_back(std::async(std::launch::async,
                                 [this, id] { return Run({"run", "--bundle", bundle(), id}, "", 120s); }));
  }
  for (auto& result : results) {
    RunResult r = result.get();
    EXPECT_EQ(r.status, 0) << r.Describe();
    EXPECT_EQ(r.out, "parallel\n") << r.Describe();
  }
}

}  // namespace
}  // namespace cocoon::integration
