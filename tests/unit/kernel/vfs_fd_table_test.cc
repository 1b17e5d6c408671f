// Tests for the fd table: allocation, dup family, fcntl, fork and exec.
#include "kernel/vfs/fd_table.h"

#include <fcntl.h>

#include <gtest/gtest.h>

#include "kernel/fs/pipe.h"

namespace cocoon::kernel::vfs {
namespace {

Ref<FileDescription> NewFile() { return fs::NewPipe(0).first; }

TEST(FdTableTest, LowestFreeFd) {
  FdTable t;
  EXPECT_EQ(t.Install(NewFile(), false), 0);
  EXPECT_EQ(t.Install(NewFile(), false), 1);
  EXPECT_EQ(t.Install(NewFile(), false), 2);
  EXPECT_EQ(t.Close(1), 0);
  EXPECT_EQ(t.Close(1), -EBADF);
  EXPECT_EQ(t.Install(NewFile(), false), 1);
  EXPECT_EQ(t.Install(NewFile(), false, 10), 10);
  EXPECT_EQ(t.Fds(), (std::vector<int>{0, 1, 2, 10}));
}

TEST(FdTableTest, LimitGivesEmfile) {
  FdTable t(3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.Install(NewFile(), false), i);
  EXPECT_EQ(t.Install(NewFile(), false), -EMFILE);
  EXPECT_EQ(t.Dup(0), -EMFILE);
  EXPECT_EQ(t.Dup2(0, 3), -EBADF);
  EXPECT_EQ(t.Fcntl(0, F_DUPFD, 3), -EINVAL);
}

TEST(FdTableTest, DupFamily) {
  FdTable t;
  int fd = t.Install(NewFile(), true);
  int d = t.Dup(fd);
  EXPECT_EQ(d, 1);
  EXPECT_EQ(t.Get(d), t.Get(fd));
  EXPECT_EQ(t.Fcntl(d, F_GETFD, 0), 0);  // dup clears close-on-exec
  EXPECT_EQ(t.Dup2(fd, 5), 5);
  EXPECT_EQ(t.Dup2(fd, fd), fd);
  EXPECT_EQ(t.Dup2(7, 7), -EBADF);
  EXPECT_EQ(t.Dup3(fd, fd, 0), -EINVAL);
  EXPECT_EQ(t.Dup3(fd, 6, O_NONBLOCK), -EINVAL);
  EXPECT_EQ(t.Dup3(fd, 6, O_CLOEXEC), 6);
  EXPECT_EQ(t.Fcntl(6, F_GETFD, 0), FD_CLOEXEC);
  EXPECT_EQ(t.Fcntl(fd, F_DUPFD_CLOEXEC, 20), 20);
  EXPECT_EQ(t.Fcntl(20, F_GETFD, 0), FD_CLOEXEC);
  EXPECT_EQ(t.Dup(-1), -EBADF);
  EXPECT_EQ(t.Fcntl(99, F_GETFD, 0), -EBADF);
}

TEST(FdTableTest, StatusFlags) {
  FdTable t;
  int fd = t.Install(NewFile(), false);
  EXPECT_EQ(t.Fcntl(fd, F_GETFL, 0), O_RDONLY);
  EXPECT_EQ(t.Fcntl(fd, F_SETFL, O_NONBLOCK | O_WRONLY | O_APPEND), 0);
  // Access mode cannot change; status flags are shared by dups.
  int d = t.Dup(fd);
  EXPECT_EQ(t.Fcntl(d, F_GETFL, 0), O_RDONLY | O_NONBLOCK | O_APPEND);
  EXPECT_EQ(t.Fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ(t.Fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
  EXPECT_EQ(t.Fcntl(d, F_GETFD, 0), 0);
  EXPECT_EQ(t.Fcntl(fd, 12345, 0), -EINVAL);
}

TEST(FdTableTest, CloneAndCloseOnExec) {
  auto t = MakeRef<FdTable>();
  t->Install(NewFile(), false);
  t->Install(NewFile(), true);
  Ref<FdTable> child = t->Clone();
  EXPECT_EQ(child->Get(0), t->Get(0));
  child->CloseOnExec();
  EXPECT_TRUE(child->Get(0));
  EXPECT_FALSE(child->Get(1));
  EXPECT_TRUE(t->Get(1));  // the parent's table is separate
  child->CloseAll();
  EXPECT_TRUE(child->Fds().empty());
}

TEST(FdTableTest, ClosingLastReferenceClosesThePipeEnd) {
  FdTable t;
  auto [r, w] = fs::NewPipe(0);
  int rfd = t.Install(r, false);
  int wfd = t.Install(w, false);
  r = nullptr;
  w = nullptr;
  EXPECT_EQ(t.Close(wfd), 0);
  char buf[4];
  EXPECT_EQ(t.Get(rfd)->Read(buf), 0);  // EOF: no writer left
}

}  // namespace
}  // namespace cocoon::kernel::vfs
