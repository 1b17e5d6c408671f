// Tests for path resolution inside a root: symlinks and ".." never leave it.
#include "rootfs/safe_path.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "test_util.h"

namespace cocoon::rootfs {
namespace {

using testing::Exists;
using testing::IsDir;
using testing::PutFile;
using testing::PutSymlink;

class SafePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    root_ = tmp_ / "root";
    testing::MakeDir(root_ + "/etc");
    root_fd_.reset(::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd_.valid());
  }

  testing::TempDir tmp_;
  std::string root_;
  UniqueFd root_fd_;
};

TEST(SplitPathTest, DropsEmptyAndDot) {
  EXPECT_EQ(SplitPath("/a//b/./c/"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitPath("../x"), (std::vector<std::string>{"..", "x"}));
  EXPECT_TRUE(SplitPath("/").empty());
  EXPECT_TRUE(SplitPath("").empty());
}

TEST(FdPathTest, NamesTheFd) { EXPECT_EQ(FdPath(7), "/proc/self/fd/7"); }

TEST_F(SafePathTest, MkdirAllCreatesNestedDirectories) {
  auto fd = MkdirAllInRoot(root_fd_.get(), "/a/b/c");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(IsDir(root_ + "/a/b/c"));
  auto again = MkdirAllInRoot(root_fd_.get(), "a/b/c/");
  ASSERT_TRUE(again) << again.error().message();
}

TEST_F(SafePathTest, AbsoluteSymlinkWithDotDotStaysInside) {
  PutSymlink("/etc/../../escaped", root_ + "/proc");
  auto fd = MkdirAllInRoot(root_fd_.get(), "/proc/sub");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(IsDir(root_ + "/escaped/sub"));
  EXPECT_FALSE(Exists(tmp_ / "escaped"));
  EXPECT_FALSE(Exists("/escaped"));
}

TEST_F(SafePathTest, RelativeSymlinkStaysInside) {
  PutSymlink("../../../../../../tmp", root_ + "/a/escape");
  auto fd = MkdirAllInRoot(root_fd_.get(), "/a/escape/cocoon-inside");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(IsDir(root_ + "/tmp/cocoon-inside"));
  EXPECT_FALSE(Exists("/tmp/cocoon-inside"));
}

TEST_F(SafePathTest, ExistingSymlinkToDirectoryIsFollowedInside) {
  testing::MakeDir(root_ + "/real");
  PutSymlink("/real", root_ + "/link");
  auto fd = MkdirAllInRoot(root_fd_.get(), "/link/x");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(IsDir(root_ + "/real/x"));
}

TEST_F(SafePathTest, SymlinkLoopFails) {
  PutSymlink("loop2", root_ + "/loop1");
  PutSymlink("loop1", root_ + "/loop2");
  auto fd = MkdirAllInRoot(root_fd_.get(), "/loop1/x");
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), ELOOP);
}

TEST_F(SafePathTest, FileInTheWayFails) {
  PutFile(root_ + "/etc/file", "x");
  auto fd = MkdirAllInRoot(root_fd_.get(), "/etc/file/x");
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), ENOTDIR);
}

TEST_F(SafePathTest, MakeFileCreatesFileAndParents) {
  auto fd = MakeFileInRoot(root_fd_.get(), "/x/y/file");
  ASSERT_TRUE(fd) << fd.error().message();
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/x/y/file").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(SafePathTest, MakeFileThroughDanglingSymlinkStaysInside) {
  PutSymlink("/etc/../../../target-file", root_ + "/etc/hosts");
  auto fd = MakeFileInRoot(root_fd_.get(), "/etc/hosts");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(Exists(root_ + "/target-file"));
  EXPECT_FALSE(Exists(tmp_ / "target-file"));
}

TEST_F(SafePathTest, MakeFileKeepsExistingFile) {
  PutFile(root_ + "/etc/keep", "content");
  auto fd = MakeFileInRoot(root_fd_.get(), "/etc/keep");
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(*ReadFile(root_ + "/etc/keep"), "content");
}

TEST_F(SafePathTest, OpenInRootRefusesToLeave) {
  PutSymlink("/", root_ + "/up");
  auto fd = OpenInRoot(root_fd_.get(), "/up/../../..", O_PATH | O_DIRECTORY);
  ASSERT_TRUE(fd) << fd.error().message();
  struct stat inside, got;
  ASSERT_EQ(::stat(root_.c_str(), &inside), 0);
  ASSERT_EQ(::fstat(fd->get(), &got), 0);
  EXPECT_EQ(inside.st_ino, got.st_ino);
  EXPECT_EQ(inside.st_dev, got.st_dev);
}

TEST_F(SafePathTest, OpenParentRejectsRootAndDotDot) {
  EXPECT_FALSE(OpenParentInRoot(root_fd_.get(), "/"));
  EXPECT_FALSE(OpenParentInRoot(root_fd_.get(), "/a/.."));
  auto parent = OpenParentInRoot(root_fd_.get(), "/new/dir/name");
  ASSERT_TRUE(parent) << parent.error().message();
  EXPECT_EQ(parent->name, "name");
  EXPECT_TRUE(IsDir(root_ + "/new/dir"));
}

}  // namespace
}  // namespace cocoon::rootfs
