// Tests for the read-only host directory and the overlay above it: nothing
// escapes the host directory, and no write reaches the host.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "kernel/fs/dev.h"
#include "kernel/fs/hostdir.h"
#include "kernel/fs/overlay.h"
#include "kernel/fs/tmpfs.h"
#include "vfs_test_util.h"

namespace cocoon::kernel::fs {
namespace {

namespace stdfs = std::filesystem;
using vfs::testing::ErrorOf;
using vfs::testing::VfsFixture;

// A host directory tree for one test, removed afterwards.
class HostTree {
 public:
  HostTree() : root_(stdfs::temp_directory_path() / ("cocoon-vfs-" + std::to_string(getpid()) + "-" +
                                                     std::to_string(counter_++))) {
    stdfs::create_directories(root_ / "rootfs/etc");
    stdfs::create_directories(root_ / "rootfs/bin");
    stdfs::create_directories(root_ / "rootfs/empty");
    Write("rootfs/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    Write("rootfs/bin/tool", "#!/bin/sh\n");
    Write("outside", "host secret");
    stdfs::create_symlink("../../outside", root_ / "rootfs/etc/escape_rel");
    stdfs::create_symlink(root_ / "outside", root_ / "rootfs/etc/escape_abs");
    stdfs::create_symlink("/etc/passwd", root_ / "rootfs/passwd_link");
    stdfs::create_symlink("/etc", root_ / "rootfs/etc_link");
  }
  ~HostTree() {
    std::error_code ec;
    stdfs::remove_all(root_, ec);
  }
  void Write(const std::string& rel, const std::string& data) { std::ofstream(root_ / rel) << data; }
  std::string Read(const std::string& rel) {
    std::ifstream in(root_ / rel);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }

 private:
  static inline int counter_ = 0;
  stdfs::path root_;
};

std::set<std::string> List(VfsFixture& v, std::string_view path) {
  std::set<std::string> names;
  auto dir = v.OpenPath(path, O_RDONLY | O_DIRECTORY);
  if (!dir) return {"ERR" + std::to_string(dir.error())};
  char buf[4096];
  for (;;) {
    int64_t n = (*dir)->GetDents64(buf);
    if (n <= 0) break;
    for (int64_t off = 0; off < n;) {
      uint16_t reclen;
      memcpy(&reclen, buf + off + 16, 2);
      std::string name(buf + off + 19);
      if (name != "." && name != "..") names.insert(name);
      off += reclen;
    }
  }
  return names;
}

TEST(HostDirTest, ReadsAndStaysInside) {
  HostTree host;
  auto fs = HostDir::Create(host.path("rootfs"));
  ASSERT_TRUE(fs) << fs.error().message();
  VfsFixture v(*fs);
  EXPECT_EQ(v.ReadWhole("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(v.ReadWhole("/passwd_link"), "root:x:0:0::/root:/bin/sh\n");  // absolute link: the guest's /
  EXPECT_EQ(v.ReadWhole("/etc_link/passwd"), "root:x:0:0::/root:/bin/sh\n");
  // Links that point out of the host directory resolve inside the guest root.
  EXPECT_EQ(v.ReadWhole("/etc/escape_rel"), "ERR-2");
  EXPECT_EQ(v.ReadWhole("/etc/escape_abs"), "ERR-2");
  EXPECT_EQ(v.ReadWhole("/../outside"), "ERR-2");
  EXPECT_EQ(List(v, "/etc"), (std::set<std::string>{"passwd", "escape_rel", "escape_abs"}));
  auto st = vfs::StatPath(v.Ctx(), "/etc/passwd", true);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 26);
  EXPECT_TRUE(S_ISREG(st->mode));
  EXPECT_EQ(st->dev, (*fs)->dev());
}

TEST(HostDirTest, IsReadOnly) {
  HostTree host;
  auto fs = HostDir::Create(host.path("rootfs"));
  ASSERT_TRUE(fs);
  VfsFixture v(*fs);
  EXPECT_EQ(ErrorOf(v.OpenPath("/etc/passwd", O_WRONLY)), -EROFS);
  EXPECT_EQ(ErrorOf(v.OpenPath("/etc/new", O_WRONLY | O_CREAT)), -EROFS);
  EXPECT_EQ(v.Mkdir("/x"), -EROFS);
  EXPECT_EQ(ErrorOf(vfs::Unlink(v.Ctx(), "/etc/passwd")), -EROFS);
  EXPECT_EQ(host.Read("rootfs/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
}

TEST(HostDirTest, MissingDirectoryIsARichError) {
  auto fs = HostDir::Create("/nonexistent/cocoon/dir");
  ASSERT_FALSE(fs);
  EXPECT_NE(fs.error().message().find("/nonexistent/cocoon/dir"), std::string::npos);
}

class OverlayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto lower = HostDir::Create(host_.path("rootfs"));
    ASSERT_TRUE(lower);
    overlay_ = Overlay::Create(Tmpfs::Create(), *lower);
    v_ = std::make_unique<VfsFixture>(overlay_);
  }
  HostTree host_;
  Ref<Overlay> overlay_;
  std::unique_ptr<VfsFixture> v_;
};

TEST_F(OverlayTest, WritesStayInTheSandbox) {
  EXPECT_EQ(v_->WriteWhole("/etc/passwd", "changed\n"), 8);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "changed\n");
  EXPECT_EQ(host_.Read("rootfs/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(v_->WriteWhole("/newfile", "new"), 3);
  EXPECT_EQ(v_->Mkdir("/etc/sub"), 0);
  EXPECT_EQ(v_->WriteWhole("/etc/sub/deep", "d"), 1);
  EXPECT_FALSE(stdfs::exists(host_.path("rootfs/newfile")));
  EXPECT_FALSE(stdfs::exists(host_.path("rootfs/etc/sub")));
  EXPECT_EQ(List(*v_, "/etc"), (std::set<std::string>{"passwd", "escape_rel", "escape_abs", "sub"}));
}

TEST_F(OverlayTest, AppendCopiesUpTheOldData) {
  auto f = v_->OpenPath("/etc/passwd", O_WRONLY | O_APPEND);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->Write(std::string_view("user:x:1000\n")), 12);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "root:x:0:0::/root:/bin/sh\nuser:x:1000\n");
}

TEST_F(OverlayTest, ChmodCopiesUp) {
  vfs::SetStatRequest chmod;
  chmod.mode = 0600;
  ASSERT_TRUE(vfs::SetStatPath(v_->Ctx(), "/bin/tool", true, chmod));
  EXPECT_EQ(vfs::StatPath(v_->Ctx(), "/bin/tool", true)->mode, S_IFREG | 0600);
  EXPECT_EQ(v_->ReadWhole("/bin/tool"), "#!/bin/sh\n");
  EXPECT_NE(stdfs::status(host_.path("rootfs/bin/tool")).permissions(), stdfs::perms::owner_read | stdfs::perms::owner_write);
}

TEST_F(OverlayTest, DeleteLowerFilesAndDirectories) {
  auto ctx = v_->Ctx();
  ASSERT_TRUE(vfs::Unlink(ctx, "/etc/passwd"));
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "ERR-2");
  EXPECT_TRUE(stdfs::exists(host_.path("rootfs/etc/passwd")));
  EXPECT_EQ(List(*v_, "/etc"), (std::set<std::string>{"escape_rel", "escape_abs"}));
  // Recreate the name: a fresh file, not the lower one.
  EXPECT_EQ(v_->WriteWhole("/etc/passwd", "again"), 5);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "again");
  // Remove a directory that exists below, then recreate it: it is empty.
  ASSERT_TRUE(vfs::Unlink(ctx, "/bin/tool"));
  ASSERT_TRUE(vfs::RemoveDirectory(ctx, "/bin"));
  EXPECT_EQ(ErrorOf(vfs::StatPath(ctx, "/bin", true)), -ENOENT);
  ASSERT_EQ(v_->Mkdir("/bin"), 0);
  EXPECT_EQ(List(*v_, "/bin"), std::set<std::string>{});
  EXPECT_EQ(ErrorOf(vfs::RemoveDirectory(ctx, "/etc")), -ENOTEMPTY);
  EXPECT_TRUE(vfs::RemoveDirectory(ctx, "/empty"));
}

TEST_F(OverlayTest, RenameFilesAndLowerDirectories) {
  auto ctx = v_->Ctx();
  ASSERT_TRUE(vfs::Rename(ctx, "/etc/passwd", ctx, "/passwd.bak", 0));
  EXPECT_EQ(v_->ReadWhole("/passwd.bak"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "ERR-2");
  EXPECT_EQ(ErrorOf(vfs::Rename(ctx, "/bin", ctx, "/sbin", 0)), -EXDEV);
  ASSERT_EQ(v_->Mkdir("/mine"), 0);
  EXPECT_TRUE(vfs::Rename(ctx, "/mine", ctx, "/mine2", 0));
  // A directory moved over a deleted lower one does not show the old contents.
  ASSERT_TRUE(vfs::Unlink(ctx, "/bin/tool"));
  ASSERT_TRUE(vfs::RemoveDirectory(ctx, "/bin"));
  ASSERT_TRUE(vfs::Rename(ctx, "/mine2", ctx, "/bin", 0));
  EXPECT_EQ(List(*v_, "/bin"), std::set<std::string>{});
}

TEST_F(OverlayTest, HardLinkOfLowerFileCopiesUp) {
  auto ctx = v_->Ctx();
  ASSERT_TRUE(vfs::MakeLink(ctx, "/etc/passwd", ctx, "/etc/passwd2", false));
  EXPECT_EQ(vfs::StatPath(ctx, "/etc/passwd", true)->nlink, 2u);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd2"), "root:x:0:0::/root:/bin/sh\n");
}

TEST_F(OverlayTest, OpenDeletedLowerFileKeepsWorking) {
  auto ctx = v_->Ctx();
  auto f = v_->OpenPath("/etc/passwd", O_RDONLY);
  ASSERT_TRUE(f);
  ASSERT_TRUE(vfs::Unlink(ctx, "/etc/passwd"));
  char buf[8];
  EXPECT_EQ((*f)->PRead(buf, 0), 8);
  vfs::SetStatRequest chmod;
  chmod.mode = 0600;
  EXPECT_TRUE((*f)->SetStat(chmod));  // copies up to an unlinked inode
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "ERR-2");
}

TEST(DevFsTest, MemoryDevices) {
  VfsFixture v;
  ASSERT_EQ(v.Mkdir("/dev"), 0);
  auto dev = vfs::Resolve(v.Ctx(), "/dev", true);
  ASSERT_TRUE(v.ns().MountAt(*dev, MakeDevFs(), MS_NOSUID));
  EXPECT_EQ(v.ReadWhole("/dev/null"), "");
  EXPECT_EQ(v.WriteWhole("/dev/null", "gone"), 4);
  auto zero = v.OpenPath("/dev/zero", O_RDONLY);
  ASSERT_TRUE(zero);
  char buf[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_EQ((*zero)->Read(buf), 8);
  EXPECT_EQ(std::string(buf, 8), std::string(8, '\0'));
  EXPECT_EQ(v.WriteWhole("/dev/full", "x"), -ENOSPC);
  auto urandom = v.OpenPath("/dev/urandom", O_RDONLY);
  ASSERT_TRUE(urandom);
  char rnd[64] = {};
  EXPECT_EQ((*urandom)->Read(rnd), 64);
  EXPECT_NE(std::string(rnd, 64), std::string(64, '\0'));
  EXPECT_EQ(ErrorOf(v.OpenPath("/dev/tty", O_RDWR)), -ENXIO);
  auto st = vfs::StatPath(v.Ctx(), "/dev/null", true);
  EXPECT_TRUE(S_ISCHR(st->mode));
  EXPECT_EQ(st->rdev, makedev(1, 3));
  EXPECT_EQ(*vfs::ReadLink(v.Ctx(), "/dev/stdout"), "/proc/self/fd/1");
  EXPECT_EQ(List(v, "/dev").count("shm"), 1u);
}

TEST(TmpfsTest, StatFieldsAndXattrs) {
  VfsFixture v;
  auto ctx = v.Ctx();
  auto st = vfs::StatPath(ctx, "/", true);
  EXPECT_EQ(st->mode, S_IFDIR | 0755);
  EXPECT_EQ(st->nlink, 2u);
  EXPECT_EQ(st->size, 40);  // 2 * BOGO_DIRENT_SIZE
  ASSERT_EQ(v.WriteWhole("/f", std::string(5000, 'x')), 5000);
  st = vfs::StatPath(ctx, "/f", true);
  EXPECT_EQ(st->size, 5000);
  EXPECT_EQ(st->blocks, 16);  // two pages
  EXPECT_EQ(st->blksize, 4096);
  auto before = vfs::StatPath(ctx, "/", true)->mtime;
  EXPECT_GE(vfs::StatPath(ctx, "/", true)->size, 60);
  vfs::SetStatRequest times;
  times.mtime = timespec{1000, 5};
  times.atime = timespec{2000, 0};
  ASSERT_TRUE(vfs::SetStatPath(ctx, "/f", true, times));
  st = vfs::StatPath(ctx, "/f", true);
  EXPECT_EQ(st->mtime.tv_sec, 1000);
  EXPECT_EQ(st->mtime.tv_nsec, 5);
  EXPECT_EQ(st->atime.tv_sec, 2000);
  (void)before;
  auto f = vfs::Resolve(ctx, "/f", true);
  vfs::Inode& inode = f->inode();
  EXPECT_EQ(ErrorOf(inode.GetXattr("user.k")), -ENODATA);
  EXPECT_TRUE(inode.SetXattr("user.k", "v", 0));
  EXPECT_EQ(*inode.GetXattr("user.k"), "v");
  EXPECT_EQ(ErrorOf(inode.SetXattr("user.k", "w", XATTR_CREATE)), -EEXIST);
  EXPECT_EQ(ErrorOf(inode.SetXattr("bogus", "w", 0)), -EOPNOTSUPP);
  EXPECT_EQ(inode.ListXattr()->size(), 1u);
  EXPECT_TRUE(inode.RemoveXattr("user.k"));
  EXPECT_EQ(ErrorOf(inode.RemoveXattr("user.k")), -ENODATA);
}

TEST(TmpfsTest, DeviceNodeWithoutDriverIsEnxio) {
  VfsFixture v;
  ASSERT_TRUE(vfs::MakeNode(v.Ctx(), "/weird", S_IFCHR | 0600, makedev(240, 1), 022));
  EXPECT_EQ(ErrorOf(v.OpenPath("/weird", O_RDONLY)), -ENXIO);
  EXPECT_EQ(ErrorOf(vfs::MakeNode(v.Ctx(), "/d", S_IFDIR | 0755, 0, 022)), -EPERM);
  EXPECT_EQ(ErrorOf(vfs::MakeNode(v.Ctx({1000, 1000, {}}), "/c", S_IFCHR | 0600, 0, 022)), -EPERM);
}

}  // namespace
}  // namespace cocoon::kernel::fs
