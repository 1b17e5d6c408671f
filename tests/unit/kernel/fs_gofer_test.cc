// The gofer file system through the vfs, over an in-process gofer server on
// a temporary directory: alone as a writable mount, read-only, as the lower
// layer of the overlay, and with a bind mount.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "../gofer/gofer_test_util.h"
#include "kernel/fs/gofer_fs.h"
#include "kernel/fs/overlay.h"
#include "kernel/fs/tmpfs.h"
#include "vfs_test_util.h"

namespace cocoon::kernel::fs {
namespace {

namespace stdfs = std::filesystem;
using gofer::testing::ServedClient;
using gofer::testing::TempTree;
using vfs::testing::ErrorOf;
using vfs::testing::VfsFixture;

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

class GoferFsTest : public ::testing::Test {
 protected:
  void Serve(bool read_only, std::vector<gofer::ServedMount> mounts = {}) {
    host_.Write("etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    host_.Write("bin/tool", "#!/bin/sh\n");
    host_.Mkdir("empty");
    outside_.Write("secret", "host secret");
    // Both resolve outside the host tree if followed on the host.
    host_.Symlink("../../" + stdfs::path(outside_.path()).filename().string() + "/secret", "etc/escape_rel");
    host_.Symlink(outside_.path("secret"), "etc/escape_abs");
    host_.Symlink("/etc/passwd", "passwd_link");
    host_.Symlink("/etc", "etc_link");
    served_ = std::make_unique<ServedClient>(host_.OpenDir(), read_only, std::move(mounts));
  }
  void TearDown() override {
    v_.reset();
    if (served_) {
      served_->Stop();
      // Every inode closed its handle.
      EXPECT_EQ(served_->server().handle_count(), 0u);
    }
  }
  Ref<GoferFs> Fs(std::string_view path = "/") {
    auto fs = GoferFs::Create(served_->shared_client(), path);
    EXPECT_TRUE(fs) << fs.error().message();
    return fs ? *fs : nullptr;
  }

  TempTree host_;
  TempTree outside_;
  std::unique_ptr<ServedClient> served_;
  std::unique_ptr<VfsFixture> v_;
};

TEST_F(GoferFsTest, ReadsAndStaysInside) {
  Serve(true);
  auto fs = Fs();
  EXPECT_EQ(fs->type(), "gofer");
  EXPECT_EQ(fs->options(), "ro");
  v_ = std::make_unique<VfsFixture>(fs);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(v_->ReadWhole("/passwd_link"), "root:x:0:0::/root:/bin/sh\n");  // the guest's /
  EXPECT_EQ(v_->ReadWhole("/etc_link/passwd"), "root:x:0:0::/root:/bin/sh\n");
  EXPECT_EQ(v_->ReadWhole("/etc/escape_rel"), "ERR-2");
  EXPECT_EQ(v_->ReadWhole("/etc/escape_abs"), "ERR-2");
  EXPECT_EQ(v_->ReadWhole("/../secret"), "ERR-2");
  EXPECT_EQ(List(*v_, "/etc"), (std::set<std::string>{"passwd", "escape_rel", "escape_abs"}));
  EXPECT_EQ(*vfs::ReadLink(v_->Ctx(), "/etc_link"), "/etc");
  auto st = vfs::StatPath(v_->Ctx(), "/etc/passwd", true);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 26);
  EXPECT_TRUE(S_ISREG(st->mode));
  EXPECT_EQ(st->dev, fs->dev());
  struct stat host {};
  ASSERT_EQ(stat(host_.path("etc/passwd").c_str(), &host), 0);
  EXPECT_EQ(st->ino, host.st_ino);
}

TEST_F(GoferFsTest, ReadOnlyServerRefusesWrites) {
  Serve(true);
  v_ = std::make_unique<VfsFixture>(Fs());
  EXPECT_EQ(ErrorOf(v_->OpenPath("/etc/passwd", O_WRONLY)), -EROFS);
  EXPECT_EQ(ErrorOf(v_->OpenPath("/etc/passwd", O_RDONLY | O_TRUNC)), -EROFS);
  EXPECT_EQ(ErrorOf(v_->OpenPath("/etc/new", O_WRONLY | O_CREAT)), -EROFS);
  EXPECT_EQ(v_->Mkdir("/x"), -EROFS);
  EXPECT_EQ(ErrorOf(vfs::Unlink(v_->Ctx(), "/etc/passwd")), -EROFS);
  vfs::SetStatRequest chmod;
  chmod.mode = 0600;
  EXPECT_EQ(ErrorOf(vfs::SetStatPath(v_->Ctx(), "/bin/tool", true, chmod)), -EROFS);
  EXPECT_EQ(host_.Read("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
}

TEST_F(GoferFsTest, WritableMount) {
  Serve(false);
  auto fs = Fs();
  EXPECT_EQ(fs->options(), "rw");
  v_ = std::make_unique<VfsFixture>(fs);
  auto ctx = v_->Ctx();
  // Create, write, overwrite, append.
  EXPECT_EQ(v_->WriteWhole("/new", "hello"), 5);
  EXPECT_EQ(host_.Read("new"), "hello");
  EXPECT_EQ(v_->ReadWhole("/new"), "hello");
  EXPECT_EQ(v_->WriteWhole("/etc/passwd", "x\n"), 2);  // O_TRUNC
  EXPECT_EQ(host_.Read("etc/passwd"), "x\n");
  auto f = v_->OpenPath("/etc/passwd", O_WRONLY | O_APPEND);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->Write(std::string_view("y\n")), 2);
  EXPECT_EQ(host_.Read("etc/passwd"), "x\ny\n");
  EXPECT_EQ((*f)->Fsync(), 0);
  // Directories.
  ASSERT_EQ(v_->Mkdir("/d", 0750), 0);
  EXPECT_EQ(v_->WriteWhole("/d/deep", "d"), 1);
  EXPECT_EQ(host_.Read("d/deep"), "d");
  EXPECT_EQ(vfs::StatPath(ctx, "/d", true)->mode, S_IFDIR | 0750u);
  EXPECT_EQ(List(*v_, "/d"), std::set<std::string>{"deep"});
  EXPECT_EQ(ErrorOf(vfs::RemoveDirectory(ctx, "/d")), -ENOTEMPTY);
  ASSERT_TRUE(vfs::Unlink(ctx, "/d/deep"));
  ASSERT_TRUE(vfs::RemoveDirectory(ctx, "/d"));
  EXPECT_FALSE(host_.Exists("d"));
  ASSERT_TRUE(vfs::RemoveDirectory(ctx, "/empty"));
  EXPECT_FALSE(host_.Exists("empty"));
  // Symlinks and hard links.
  ASSERT_TRUE(vfs::MakeSymlink(ctx, "/etc/passwd", "/sl"));
  EXPECT_EQ(stdfs::read_symlink(host_.path("sl")), "/etc/passwd");
  EXPECT_EQ(v_->ReadWhole("/sl"), "x\ny\n");
  ASSERT_TRUE(vfs::MakeLink(ctx, "/new", ctx, "/hard", false));
  EXPECT_EQ(vfs::StatPath(ctx, "/new", true)->nlink, 2u);
  EXPECT_EQ(host_.Read("hard"), "hello");
  // Fifos exist on the host but are never opened there.
  ASSERT_TRUE(vfs::MakeNode(ctx, "/fifo", S_IFIFO | 0644, 0, 022));
  struct stat st {};
  ASSERT_EQ(lstat(host_.path("fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // Rename, with the dentry cache and the server both following.
  ASSERT_TRUE(vfs::Rename(ctx, "/new", ctx, "/bin/renamed", 0));
  EXPECT_EQ(host_.Read("bin/renamed"), "hello");
  EXPECT_FALSE(host_.Exists("new"));
  EXPECT_EQ(v_->ReadWhole("/bin/renamed"), "hello");
  EXPECT_EQ(v_->ReadWhole("/new"), "ERR-2");
  // Attributes.
  vfs::SetStatRequest set;
  set.mode = 0600;
  set.size = 2;
  set.mtime = timespec{1000, 5};
  ASSERT_TRUE(vfs::SetStatPath(ctx, "/bin/renamed", true, set));
  ASSERT_EQ(stat(host_.path("bin/renamed").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode, S_IFREG | 0600u);
  EXPECT_EQ(st.st_size, 2);
  EXPECT_EQ(st.st_mtim.tv_sec, 1000);
  EXPECT_EQ(vfs::StatPath(ctx, "/bin/renamed", true)->mode, S_IFREG | 0600u);
  // Permission checks see the new mode (cached on the inode).
  EXPECT_EQ(ErrorOf(vfs::Open(v_->Ctx({1000, 1000, {}}), "/bin/renamed", O_RDONLY, 0, 022)), -EACCES);
  if (geteuid() == 0) {
    vfs::SetStatRequest chown;
    chown.uid = 1000;
    chown.gid = 1000;
    ASSERT_TRUE(vfs::SetStatPath(ctx, "/bin/renamed", true, chown));
    ASSERT_EQ(stat(host_.path("bin/renamed").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1000u);
    EXPECT_EQ(v_->ReadWhole("/bin/renamed"), "he");
    // Files the guest creates belong to its creds.
    auto mine = vfs::Open(v_->Ctx({1000, 1000, {}}), "/tmpfile", O_WRONLY | O_CREAT, 0644, 022);
    EXPECT_EQ(ErrorOf(mine), -EACCES);  // "/" is root's 0755
    ASSERT_TRUE(vfs::Open(ctx, "/owned", O_WRONLY | O_CREAT, 0644, 022));
    ASSERT_EQ(stat(host_.path("owned").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u);
  }
  // Escapes stay refused when writing too.
  EXPECT_EQ(v_->WriteWhole("/etc/escape_abs", "x"), -ENOENT);
  EXPECT_EQ(v_->WriteWhole("/etc/escape_rel", "x"), -ENOENT);
  EXPECT_EQ(outside_.Read("secret"), "host secret");
}

TEST_F(GoferFsTest, ReadDirOfALargeDirectory) {
  Serve(false);
  for (int i = 0; i < 1500; ++i) host_.Write("many/file-with-a-long-name-" + std::to_string(i), "");
  v_ = std::make_unique<VfsFixture>(Fs());
  EXPECT_EQ(List(*v_, "/many").size(), 1500u);
}

TEST_F(GoferFsTest, LowerLayerOfTheOverlay) {
  Serve(true);
  v_ = std::make_unique<VfsFixture>(Overlay::Create(Tmpfs::Create(), Fs()));
  auto ctx = v_->Ctx();
  EXPECT_EQ(v_->WriteWhole("/etc/passwd", "changed\n"), 8);
  EXPECT_EQ(v_->ReadWhole("/etc/passwd"), "changed\n");
  EXPECT_EQ(host_.Read("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  auto f = v_->OpenPath("/bin/tool", O_WRONLY | O_APPEND);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->Write(std::string_view("echo\n")), 5);
  EXPECT_EQ(v_->ReadWhole("/bin/tool"), "#!/bin/sh\necho\n");
  EXPECT_EQ(host_.Read("bin/tool"), "#!/bin/sh\n");
  ASSERT_EQ(v_->Mkdir("/etc/sub"), 0);
  EXPECT_FALSE(host_.Exists("etc/sub"));
  ASSERT_TRUE(vfs::Unlink(ctx, "/etc/escape_rel"));
  EXPECT_EQ(List(*v_, "/etc"), (std::set<std::string>{"passwd", "escape_abs", "sub"}));
  EXPECT_TRUE(host_.Exists("etc/escape_rel"));
  ASSERT_TRUE(vfs::RemoveDirectory(ctx, "/empty"));
  EXPECT_EQ(ErrorOf(vfs::StatPath(ctx, "/empty", true)), -ENOENT);
  EXPECT_TRUE(host_.Exists("empty"));
  vfs::SetStatRequest chmod;
  chmod.mode = 0600;
  ASSERT_TRUE(vfs::SetStatPath(ctx, "/etc_link/passwd", true, chmod));
  EXPECT_EQ(vfs::StatPath(ctx, "/etc/passwd", true)->mode, S_IFREG | 0600u);
  EXPECT_EQ(v_->ReadWhole("/passwd_link"), "changed\n");
  EXPECT_EQ(v_->ReadWhole("/etc/escape_abs"), "ERR-2");
}

TEST_F(GoferFsTest, BindMountIsItsOwnTree) {
  TempTree volume;
  volume.Write("data.txt", "volume data");
  std::vector<gofer::ServedMount> mounts;
  mounts.push_back({"/data", volume.OpenDir(), false});
  host_.Mkdir("data");
  Serve(true, std::move(mounts));
  v_ = std::make_unique<VfsFixture>(Fs());
  auto target = vfs::Resolve(v_->Ctx(), "/data", true);
  ASSERT_TRUE(target);
  auto data = Fs("/data");
  EXPECT_EQ(data->options(), "rw");
  ASSERT_TRUE(v_->ns().MountAt(*target, data, 0));
  EXPECT_EQ(v_->ReadWhole("/data/data.txt"), "volume data");
  EXPECT_EQ(v_->WriteWhole("/data/out", "written"), 7);
  EXPECT_EQ(volume.Read("out"), "written");
  EXPECT_FALSE(host_.Exists("data/out"));
  EXPECT_EQ(v_->Mkdir("/elsewhere"), -EROFS);  // the root tree is read-only
  // Renames and links between trees are cross-device.
  EXPECT_EQ(ErrorOf(vfs::Rename(v_->Ctx(), "/data/out", v_->Ctx(), "/out", 0)), -EXDEV);
  auto mounted = vfs::Resolve(v_->Ctx(), "/data", true);
  ASSERT_TRUE(mounted);
  ASSERT_TRUE(v_->ns().Unmount(*mounted));
}

TEST_F(GoferFsTest, MissingTreeIsARichError) {
  Serve(false);
  auto fs = GoferFs::Create(served_->shared_client(), "/nope");
  ASSERT_FALSE(fs);
  EXPECT_NE(fs.error().message().find("/nope"), std::string::npos);
}

}  // namespace
}  // namespace cocoon::kernel::fs
