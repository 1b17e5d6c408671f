// Tests for procfs over a fake ProcSource: listing, per-process files and
// links, and names that disappear when a process exits.
#include "kernel/fs/proc.h"

#include <fcntl.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "vfs_test_util.h"

namespace cocoon::kernel::fs {
namespace {

using vfs::testing::ErrorOf;
using vfs::testing::VfsFixture;

class FakeSource : public ProcSource {
 public:
  std::vector<int> pids = {1, 7};
  ErrOr<int> SelfPid() override { return 7; }
  std::vector<int> Pids() override { return pids; }
  ErrOr<std::string> ProcessFile(int pid, std::string_view name) override {
    return std::string(name) + " of " + std::to_string(pid) + "\n";
  }
  ErrOr<std::string> ProcessLink(int, std::string_view name) override {
    if (name == "cwd") return std::string("/home");
    return vfs::Fail(ENOENT);
  }
  ErrOr<std::vector<int>> Fds(int) override { return std::vector<int>{0, 1, 5}; }
  ErrOr<std::string> FdTarget(int, int fd) override { return "/fd" + std::to_string(fd); }
  ErrOr<Ref<vfs::FileDescription>> FdFile(int, int) override { return vfs::Fail(ENOENT); }
  ErrOr<std::string> GlobalFile(std::string_view name) override { return "global " + std::string(name) + "\n"; }
};

class ProcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(v_.Mkdir("/proc"), 0);
    auto proc = vfs::Resolve(v_.Ctx(), "/proc", true);
    ASSERT_TRUE(v_.ns().MountAt(*proc, MakeProcFs(source_), 0));
  }
  std::shared_ptr<FakeSource> source_ = std::make_shared<FakeSource>();
  VfsFixture v_;
};

TEST_F(ProcTest, FilesAndLinks) {
  EXPECT_EQ(v_.ReadWhole("/proc/1/status"), "status of 1\n");
  EXPECT_EQ(v_.ReadWhole("/proc/self/stat"), "stat of 7\n");
  EXPECT_EQ(v_.ReadWhole("/proc/meminfo"), "global meminfo\n");
  EXPECT_EQ(*vfs::ReadLink(v_.Ctx(), "/proc/self"), "7");
  EXPECT_EQ(*vfs::ReadLink(v_.Ctx(), "/proc/7/cwd"), "/home");
  EXPECT_EQ(*vfs::ReadLink(v_.Ctx(), "/proc/7/fd/5"), "/fd5");
  EXPECT_EQ(ErrorOf(vfs::ReadLink(v_.Ctx(), "/proc/7/fd/4")), -ENOENT);
  EXPECT_EQ(v_.ReadWhole("/proc/99/status"), "ERR-2");
  EXPECT_EQ(v_.ReadWhole("/proc/1/nosuch"), "ERR-2");
  EXPECT_EQ(vfs::testing::ErrorOf(v_.OpenPath("/proc/1/status", O_WRONLY)), -EACCES);
}

TEST_F(ProcTest, ExitedProcessDisappears) {
  EXPECT_EQ(v_.ReadWhole("/proc/7/cmdline"), "cmdline of 7\n");
  auto dir = vfs::Resolve(v_.Ctx(), "/proc/7", true);
  ASSERT_TRUE(dir);
  source_->pids = {1};
  EXPECT_EQ(v_.ReadWhole("/proc/7/cmdline"), "ERR-2");
  EXPECT_EQ(ErrorOf(vfs::StatPath(v_.Ctx(), "/proc/7", true)), -ENOENT);
  EXPECT_TRUE(dir->dentry->deleted());
}

TEST_F(ProcTest, ListsProcesses) {
  auto root = v_.OpenPath("/proc", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(root);
  char buf[2048];
  std::set<std::string> names;
  for (int64_t n; (n = (*root)->GetDents64(buf)) > 0;) {
    for (int64_t off = 0; off < n;) {
      uint16_t reclen;
      memcpy(&reclen, buf + off + 16, 2);
      names.insert(buf + off + 19);
      off += reclen;
    }
  }
  for (const char* want : {"1", "7", "self", "meminfo", "mounts", "cpuinfo", "uptime", "loadavg"}) {
    EXPECT_TRUE(names.contains(want)) << want;
  }
}

}  // namespace
}  // namespace cocoon::kernel::fs
