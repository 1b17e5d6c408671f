// The confined gofer process: forked, confined for real (mount namespace,
// chroot, capabilities, seccomp), serving a client in this process. Needs root.
#include "gofer/gofer.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "gofer/client.h"
#include "gofer_test_util.h"

namespace cocoon::gofer {
namespace {

using testing::ReadlinkOf;
using testing::StatOf;
using testing::TempTree;

TEST(GoferTest, AllowListNamesRealSyscalls) {
  for (std::string_view name : AllowedSyscalls()) {
    EXPECT_NE(seccomp_syscall_resolve_name(std::string(name).c_str()), __NR_SCMP_ERROR) << name;
  }
  EXPECT_FALSE(KeptCapabilities().empty());
}

// Forks a child that runs `body` and returns its wait status.
template <typename F>
int InChild(F body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

class ConfinedGoferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "confining the gofer needs root";
  }
};

TEST_F(ConfinedGoferTest, ServesEveryOperationUnderItsFilter) {
  TempTree rootfs, volume;
  rootfs.Write("etc/hostname", "box\n");
  rootfs.Mkdir("data");
  volume.Write("v", "vol");
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  UniqueFd gofer_end(sv[1]);
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    GoferOptions opts;
    opts.rootfs = rootfs.path();
    opts.mounts.push_back({volume.path(), "/data", false});
    opts.socket_fd = sv[1];
    auto rc = RunGofer(opts);
    if (!rc) {
      fprintf(stderr, "gofer: %s\n", rc.error().message().c_str());
      _exit(100);
    }
    _exit(*rc);
  }
  gofer_end.reset();
  {
    Client c{UniqueFd(sv[0])};
    auto root = c.Attach("/");
    ASSERT_TRUE(root);
    auto nodes = c.Walk(root->node.handle, {"etc", "hostname"});
    ASSERT_TRUE(nodes);
    ASSERT_EQ(nodes->size(), 2u);
    auto fd = c.Open((*nodes)[1].handle, O_RDONLY);
    ASSERT_TRUE(fd);
    char buf[16] = {};
    EXPECT_EQ(pread(fd->get(), buf, sizeof(buf), 0), 4);
    EXPECT_STREQ(buf, "box\n");
    uint64_t etc = (*nodes)[0].handle;
    auto created = c.Create(etc, "new", O_RDWR, 0600, 1000, 1000);
    ASSERT_TRUE(created);
    EXPECT_EQ(pwrite(created->fd.get(), "hi", 2, 0), 2);
    EXPECT_EQ(rootfs.Read("etc/new"), "hi");
    ASSERT_TRUE(c.Mkdir(etc, "sub", 0755, 0, 0));
    ASSERT_TRUE(c.Mknod(etc, "fifo", S_IFIFO | 0644, 0, 0, 0));
    auto link = c.Symlink(etc, "link", "/etc/hostname", 0, 0);
    ASSERT_TRUE(link);
    EXPECT_EQ(ReadlinkOf(c, link->handle), "/etc/hostname");
    ASSERT_TRUE(c.Link(etc, "hard", created->node.handle));
    SetstatRequest set;
    set.handle = created->node.handle;
    set.mask = kSetMode | kSetUid | kSetSize | kSetMtime;
    set.mode = 0644;
    set.uid = 5;
    set.size = 1;
    set.mtime = {100, 0};
    ASSERT_TRUE(c.Setstat(set));
    EXPECT_EQ(StatOf(c, created->node.handle).uid, 5u);
    auto entries = c.Getdents(etc);
    ASSERT_TRUE(entries);
    EXPECT_EQ(entries->size(), 6u);
    ASSERT_TRUE(c.Rename(etc, "hard", root->node.handle, "moved", 0));
    ASSERT_TRUE(c.Unlink(root->node.handle, "moved", 0));
    ASSERT_TRUE(c.Unlink(etc, "sub", AT_REMOVEDIR));
    ASSERT_TRUE(c.Statfs(etc));
    ASSERT_TRUE(c.Fsync(created->node.handle));
    ASSERT_TRUE(c.Close(link->handle));
    auto up = c.Walk(root->node.handle, {".."});
    EXPECT_EQ(up ? 0 : up.error(), -EINVAL);
    auto vol = c.Attach("/data");
    ASSERT_TRUE(vol);
    auto v = c.Walk(vol->node.handle, {"v"});
    ASSERT_TRUE(v);
    EXPECT_TRUE(c.Open((*v)[0].handle, O_RDONLY));
  }  // closing the client ends the gofer
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "gofer killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(ConfinedGoferTest, ForbiddenSyscallKillsIt) {
  TempTree rootfs;
  int status = InChild([&] {
    GoferOptions opts;
    opts.rootfs = rootfs.path();
    if (!Confine(opts)) return 100;
    socket(AF_INET, SOCK_STREAM, 0);  // not on the allow-list
    return 0;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "exited " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST_F(ConfinedGoferTest, ChrootsIntoTheRootfs) {
  TempTree rootfs;
  rootfs.Write("marker", "m");
  int status = InChild([&] {
    GoferOptions opts;
    opts.rootfs = rootfs.path();
    if (!Confine(opts)) return 100;
    struct stat st {};
    if (fstatat(AT_FDCWD, "/marker", &st, 0) != 0) return 1;  // "/" is the rootfs
    if (fstatat(AT_FDCWD, "/proc/self", &st, 0) == 0) return 2;  // the host's / is gone
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(GoferOptionsTest, MissingRootfsIsARichError) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  int status = InChild([] {
    GoferOptions opts;
    opts.rootfs = "/nonexistent/cocoon/rootfs";
    opts.socket_fd = 0;
    auto rc = RunGofer(opts);
    return !rc && rc.error().message().find("/nonexistent/cocoon/rootfs") != std::string::npos ? 0 : 1;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace cocoon::gofer
