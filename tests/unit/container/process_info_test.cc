// Tests for /proc/<pid>/stat parsing and liveness.
#include "container/process_info.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace cocoon::container {
namespace {

TEST(ProcessInfoTest, ParsesStateAndStartTimeEvenWithParensInName) {
  std::string text =
      "1234 (we ird) name)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto stat = ParseProcStat(text);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->start_time, 987654u);
}

TEST(ProcessInfoTest, RejectsTruncatedText) {
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 2"));
  EXPECT_FALSE(ParseProcStat("garbage"));
}

TEST(ProcessInfoTest, OwnProcessIsAliveOnlyWithItsStartTime) {
  auto self = ReadProcStat(getpid());
  ASSERT_TRUE(self);
  EXPECT_TRUE(ProcessAlive(getpid(), self->start_time));
  EXPECT_FALSE(ProcessAlive(getpid(), self->start_time + 1));
}

TEST(ProcessInfoTest, ZombieIsNotAlive) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);
  // Wait until it is a zombie, without reaping it.
  std::optional<ProcStat> stat;
  for (int i = 0; i < 1000; ++i) {
    stat = ReadProcStat(child);
    if (stat && stat->state == 'Z') break;
    usleep(1000);
  }
  ASSERT_TRUE(stat);
  EXPECT_FALSE(ProcessAlive(child, stat->start_time));
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(ReadProcStat(child));
}

}  // namespace
}  // namespace cocoon::container
