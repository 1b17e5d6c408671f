// Tests for path resolution and the path-based operations, on tmpfs.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "kernel/fs/tmpfs.h"
#include "kernel/vfs/vfs.h"
#include "vfs_test_util.h"

namespace cocoon::kernel::vfs {
namespace {

using testing::ErrorOf;
using testing::VfsFixture;

class VfsPathTest : public ::testing::Test {
 protected:
  VfsFixture v_;
  PathContext ctx_ = v_.Ctx();
};

TEST_F(VfsPathTest, CreateWriteRead) {
  ASSERT_EQ(v_.Mkdir("/etc"), 0);
  EXPECT_EQ(v_.WriteWhole("/etc/passwd", "root:x:0:0\n"), 11);
  EXPECT_EQ(v_.ReadWhole("/etc/passwd"), "root:x:0:0\n");
  EXPECT_EQ(v_.ReadWhole("/etc//passwd"), "root:x:0:0\n");
  EXPECT_EQ(v_.ReadWhole("etc/./passwd"), "root:x:0:0\n");
  EXPECT_EQ(v_.ReadWhole("/etc/nope"), "ERR-2");
}

TEST_F(VfsPathTest, DotDotNeverLeavesTheRoot) {
  ASSERT_EQ(v_.Mkdir("/a"), 0);
  ASSERT_EQ(v_.WriteWhole("/a/f", "x"), 1);
  EXPECT_EQ(v_.ReadWhole("/../../a/f"), "x");
  EXPECT_EQ(v_.ReadWhole("/a/../../../a/f"), "x");
  // A chroot-like root at /a: ".." stays at /a.
  auto a = Resolve(ctx_, "/a", true);
  ASSERT_TRUE(a);
  PathContext jail{*a, *a, {}};
  auto f = Resolve(jail, "../../f", true);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->dentry->name(), "f");
  EXPECT_EQ(*PathOf(jail.root, *f), "/f");
  EXPECT_EQ(*PathOf(ctx_.root, *f), "/a/f");
}

TEST_F(VfsPathTest, SymlinksFollowedAndLooped) {
  ASSERT_EQ(v_.Mkdir("/d"), 0);
  ASSERT_EQ(v_.WriteWhole("/d/target", "data"), 4);
  ASSERT_TRUE(MakeSymlink(ctx_, "target", "/d/rel"));
  ASSERT_TRUE(MakeSymlink(ctx_, "/d", "/abs"));
  ASSERT_TRUE(MakeSymlink(ctx_, "../..", "/d/up"));
  EXPECT_EQ(v_.ReadWhole("/d/rel"), "data");
  EXPECT_EQ(v_.ReadWhole("/abs/rel"), "data");
  EXPECT_EQ(v_.ReadWhole("/d/up/d/target"), "data");  // ".." via a link stops at /
  EXPECT_EQ(*ReadLink(ctx_, "/d/rel"), "target");
  EXPECT_EQ(ErrorOf(ReadLink(ctx_, "/d/target")), -EINVAL);

  ASSERT_TRUE(MakeSymlink(ctx_, "loop2", "/loop1"));
  ASSERT_TRUE(MakeSymlink(ctx_, "loop1", "/loop2"));
  EXPECT_EQ(v_.ReadWhole("/loop1"), "ERR-40");  // ELOOP

  // A chain of 40 links resolves; 41 is too many.
  ASSERT_TRUE(MakeSymlink(ctx_, "/d/target", "/c0"));
  for (int i = 1; i <= 40; ++i) {
    ASSERT_TRUE(MakeSymlink(ctx_, "/c" + std::to_string(i - 1), "/c" + std::to_string(i)));
  }
  EXPECT_EQ(v_.ReadWhole("/c39"), "data");
  EXPECT_EQ(v_.ReadWhole("/c40"), "ERR-40");
}

TEST_F(VfsPathTest, OpenFlags) {
  ASSERT_EQ(v_.WriteWhole("/f", "abc"), 3);
  ASSERT_TRUE(MakeSymlink(ctx_, "/f", "/link"));
  ASSERT_TRUE(MakeSymlink(ctx_, "/missing", "/dangling"));
  EXPECT_EQ(ErrorOf(v_.OpenPath("/link", O_RDONLY | O_NOFOLLOW)), -ELOOP);
  auto path_file = v_.OpenPath("/link", O_PATH | O_NOFOLLOW);
  ASSERT_TRUE(path_file);
  EXPECT_TRUE(S_ISLNK((*path_file)->GetStat()->mode));
  char buf[4];
  EXPECT_EQ((*path_file)->Read(buf), -EBADF);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/f", O_RDONLY | O_DIRECTORY)), -ENOTDIR);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/f/", O_RDONLY)), -ENOTDIR);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/f", O_CREAT | O_EXCL | O_WRONLY)), -EEXIST);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/dangling", O_CREAT | O_EXCL | O_WRONLY)), -EEXIST);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/", O_WRONLY)), -EISDIR);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/newdir/", O_CREAT | O_WRONLY)), -EISDIR);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/nodir/x", O_CREAT | O_WRONLY)), -ENOENT);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/f/x", O_RDONLY)), -ENOTDIR);
  // O_CREAT through a dangling symlink creates its target.
  ASSERT_TRUE(v_.OpenPath("/dangling", O_CREAT | O_WRONLY));
  EXPECT_TRUE(StatPath(ctx_, "/missing", false));
  // O_TRUNC empties; O_APPEND appends.
  ASSERT_TRUE(v_.OpenPath("/f", O_WRONLY | O_TRUNC));
  EXPECT_EQ(v_.ReadWhole("/f"), "");
  auto app = v_.OpenPath("/f", O_WRONLY | O_APPEND);
  ASSERT_TRUE(app);
  EXPECT_EQ((*app)->Write(std::string_view("12")), 2);
  EXPECT_EQ((*app)->Seek(0, SEEK_SET), 0);
  EXPECT_EQ((*app)->Write(std::string_view("34")), 2);
  EXPECT_EQ(v_.ReadWhole("/f"), "1234");
  EXPECT_EQ(ErrorOf(v_.OpenPath(std::string(300, 'n'), O_RDONLY)), -ENAMETOOLONG);
  EXPECT_EQ(ErrorOf(v_.OpenPath("", O_RDONLY)), -ENOENT);
}

TEST_F(VfsPathTest, UmaskAndModes) {
  auto f = Open(ctx_, "/f", O_CREAT | O_WRONLY, 0666, 022);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->GetStat()->mode, S_IFREG | 0644);
  ASSERT_TRUE(MakeDirectory(ctx_, "/d", 0777, 027));
  EXPECT_EQ(StatPath(ctx_, "/d", true)->mode, S_IFDIR | 0750);
}

TEST_F(VfsPathTest, PermissionsForUnprivileged) {
  ASSERT_EQ(v_.Mkdir("/secret", 0700), 0);
  ASSERT_EQ(v_.WriteWhole("/secret/f", "x"), 1);
  ASSERT_EQ(v_.WriteWhole("/ro", "x"), 1);
  PathContext user = v_.Ctx({1000, 1000, {}});
  EXPECT_EQ(ErrorOf(Open(user, "/secret/f", O_RDONLY, 0, 022)), -EACCES);
  EXPECT_EQ(ErrorOf(Open(user, "/ro", O_WRONLY, 0, 022)), -EACCES);
  EXPECT_TRUE(Open(user, "/ro", O_RDONLY, 0, 022));
  EXPECT_EQ(ErrorOf(MakeDirectory(user, "/mine", 0755, 022)), -EACCES);
  EXPECT_EQ(ErrorOf(CheckAccess(user, "/ro", W_OK, true)), -EACCES);
  EXPECT_TRUE(CheckAccess(user, "/ro", R_OK, true));
  SetStatRequest chmod;
  chmod.mode = 0777;
  EXPECT_EQ(ErrorOf(SetStatPath(user, "/ro", true, chmod)), -EPERM);
  EXPECT_TRUE(SetStatPath(ctx_, "/ro", true, chmod));
  EXPECT_TRUE(Open(user, "/ro", O_WRONLY, 0, 022));
  // Root may not execute a file with no x bit.
  EXPECT_EQ(ErrorOf(CheckAccess(ctx_, "/secret/f", X_OK, true)), -EACCES);
}

TEST_F(VfsPathTest, MkdirRmdirUnlinkErrors) {
  ASSERT_EQ(v_.Mkdir("/d"), 0);
  EXPECT_EQ(v_.Mkdir("/d"), -EEXIST);
  EXPECT_EQ(v_.Mkdir("/"), -EEXIST);
  EXPECT_EQ(v_.Mkdir("/d/sub/"), 0);  // a trailing slash is fine for mkdir
  ASSERT_EQ(v_.WriteWhole("/d/sub/f", "x"), 1);
  EXPECT_EQ(ErrorOf(RemoveDirectory(ctx_, "/d")), -ENOTEMPTY);
  EXPECT_EQ(ErrorOf(RemoveDirectory(ctx_, "/d/sub/f")), -ENOTDIR);
  EXPECT_EQ(ErrorOf(RemoveDirectory(ctx_, "/d/.")), -EINVAL);
  EXPECT_EQ(ErrorOf(RemoveDirectory(ctx_, "/")), -EBUSY);
  EXPECT_EQ(ErrorOf(Unlink(ctx_, "/d")), -EISDIR);
  EXPECT_EQ(ErrorOf(Unlink(ctx_, "/d/sub/f/")), -ENOTDIR);
  EXPECT_TRUE(Unlink(ctx_, "/d/sub/f"));
  EXPECT_EQ(ErrorOf(Unlink(ctx_, "/d/sub/f")), -ENOENT);
  EXPECT_TRUE(RemoveDirectory(ctx_, "/d/sub"));
  EXPECT_EQ(ErrorOf(StatPath(ctx_, "/d/sub", true)), -ENOENT);
  EXPECT_EQ(StatPath(ctx_, "/d", true)->nlink, 2u);
}

TEST_F(VfsPathTest, UnlinkedFileStaysOpen) {
  ASSERT_EQ(v_.WriteWhole("/f", "still here"), 10);
  auto f = v_.OpenPath("/f", O_RDWR);
  ASSERT_TRUE(f);
  ASSERT_TRUE(Unlink(ctx_, "/f"));
  EXPECT_EQ((*f)->GetStat()->nlink, 0u);
  char buf[32];
  EXPECT_EQ((*f)->PRead(buf, 0), 10);
  EXPECT_EQ(*PathOf(ctx_.root, (*f)->location()), "/f (deleted)");
  EXPECT_EQ(v_.ReadWhole("/f"), "ERR-2");
}

TEST_F(VfsPathTest, HardLinks) {
  ASSERT_EQ(v_.WriteWhole("/a", "1"), 1);
  ASSERT_TRUE(MakeLink(ctx_, "/a", ctx_, "/b", false));
  EXPECT_EQ(StatPath(ctx_, "/a", true)->nlink, 2u);
  EXPECT_EQ(StatPath(ctx_, "/a", true)->ino, StatPath(ctx_, "/b", true)->ino);
  EXPECT_EQ(ErrorOf(MakeLink(ctx_, "/a", ctx_, "/b", false)), -EEXIST);
  ASSERT_EQ(v_.Mkdir("/d"), 0);
  EXPECT_EQ(ErrorOf(MakeLink(ctx_, "/d", ctx_, "/e", false)), -EPERM);
  ASSERT_TRUE(Unlink(ctx_, "/a"));
  EXPECT_EQ(v_.ReadWhole("/b"), "1");
  EXPECT_EQ(StatPath(ctx_, "/b", true)->nlink, 1u);
}

TEST_F(VfsPathTest, Rename) {
  ASSERT_EQ(v_.Mkdir("/a"), 0);
  ASSERT_EQ(v_.Mkdir("/b"), 0);
  ASSERT_EQ(v_.WriteWhole("/a/f", "1"), 1);
  ASSERT_EQ(v_.WriteWhole("/b/g", "2"), 1);
  EXPECT_TRUE(Rename(ctx_, "/a/f", ctx_, "/b/g", 0));
  EXPECT_EQ(v_.ReadWhole("/b/g"), "1");
  EXPECT_EQ(v_.ReadWhole("/a/f"), "ERR-2");
  // Directories: into itself, over a file, over a non-empty directory.
  ASSERT_EQ(v_.Mkdir("/a/sub"), 0);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/a", ctx_, "/a/sub/x", 0)), -EINVAL);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/a", ctx_, "/b/g", 0)), -ENOTDIR);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/b/g", ctx_, "/a", 0)), -EISDIR);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/a", ctx_, "/b", 0)), -ENOTEMPTY);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/b/g", ctx_, "/a/sub", RENAME_NOREPLACE)), -EEXIST);
  // Moving a directory keeps an open cwd inside it correct.
  auto sub = Resolve(ctx_, "/a/sub", true);
  ASSERT_TRUE(sub);
  EXPECT_TRUE(Rename(ctx_, "/a", ctx_, "/b/moved", 0));
  EXPECT_EQ(*PathOf(ctx_.root, *sub), "/b/moved/sub");
  EXPECT_EQ(StatPath(ctx_, "/b", true)->nlink, 3u);
  EXPECT_EQ(StatPath(ctx_, "/", true)->nlink, 3u);
  // Exchange.
  ASSERT_EQ(v_.WriteWhole("/x", "X"), 1);
  ASSERT_EQ(v_.WriteWhole("/y", "Y"), 1);
  EXPECT_TRUE(Rename(ctx_, "/x", ctx_, "/y", RENAME_EXCHANGE));
  EXPECT_EQ(v_.ReadWhole("/x"), "Y");
  EXPECT_EQ(v_.ReadWhole("/y"), "X");
  // Renaming a name onto another name of the same file does nothing.
  ASSERT_TRUE(MakeLink(ctx_, "/x", ctx_, "/x2", false));
  EXPECT_TRUE(Rename(ctx_, "/x", ctx_, "/x2", 0));
  EXPECT_EQ(v_.ReadWhole("/x"), "Y");
}

TEST_F(VfsPathTest, GetDents) {
  ASSERT_EQ(v_.Mkdir("/d"), 0);
  ASSERT_EQ(v_.WriteWhole("/d/one", ""), 0);
  ASSERT_EQ(v_.Mkdir("/d/two"), 0);
  auto dir = v_.OpenPath("/d", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir);
  std::vector<std::pair<std::string, int>> seen;
  char buf[64];  // small: forces several calls
  for (;;) {
    int64_t n = (*dir)->GetDents64(buf);
    ASSERT_GE(n, 0);
    if (n == 0) break;
    for (int64_t off = 0; off < n;) {
      uint16_t reclen;
      memcpy(&reclen, buf + off + 16, 2);
      seen.emplace_back(std::string(buf + off + 19), buf[off + 18]);
      off += reclen;
    }
  }
  std::vector<std::pair<std::string, int>> want = {{".", DT_DIR}, {"..", DT_DIR}, {"one", DT_REG}, {"two", DT_DIR}};
  EXPECT_EQ(seen, want);
  char tiny[8];
  EXPECT_EQ((*dir)->Seek(0, SEEK_SET), 0);
  EXPECT_EQ((*dir)->GetDents64(tiny), -EINVAL);
  EXPECT_EQ((*dir)->Read(buf), -EISDIR);
  auto file = v_.OpenPath("/d/one", O_RDONLY);
  EXPECT_EQ((*file)->GetDents64(buf), -ENOTDIR);
}

TEST_F(VfsPathTest, SeekAndPositionalIo) {
  auto f = v_.OpenPath("/f", O_RDWR | O_CREAT);
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->Write(std::string_view("hello")), 5);
  EXPECT_EQ((*f)->Seek(0, SEEK_END), 5);
  EXPECT_EQ((*f)->Seek(-2, SEEK_CUR), 3);
  EXPECT_EQ((*f)->Seek(-10, SEEK_CUR), -EINVAL);
  EXPECT_EQ((*f)->Seek(0, 42), -EINVAL);
  EXPECT_EQ((*f)->PWrite(std::string_view("!"), 10), 1);
  EXPECT_EQ((*f)->GetStat()->size, 11);
  char buf[16] = {};
  EXPECT_EQ((*f)->PRead(buf, 0), 11);
  EXPECT_EQ(std::string(buf, 11), std::string("hello\0\0\0\0\0!", 11));
  EXPECT_EQ((*f)->PRead(buf, -1), -EINVAL);
  EXPECT_EQ((*f)->offset(), 3);  // positional I/O leaves the offset
  EXPECT_EQ((*f)->Seek(3, SEEK_DATA), 3);
  EXPECT_EQ((*f)->Seek(3, SEEK_HOLE), 11);
  EXPECT_EQ((*f)->Seek(11, SEEK_DATA), -ENXIO);
  auto ro = v_.OpenPath("/f", O_RDONLY);
  EXPECT_EQ((*ro)->Write(std::string_view("x")), -EBADF);
  SetStatRequest trunc;
  trunc.size = 2;
  EXPECT_EQ(ErrorOf((*ro)->SetStat(trunc)), -EINVAL);
  EXPECT_TRUE((*f)->SetStat(trunc));
  EXPECT_EQ(v_.ReadWhole("/f"), "he");
  EXPECT_EQ(*(*ro)->BytesReadable(), 2);
}

TEST_F(VfsPathTest, MountsAndDotDot) {
  ASSERT_EQ(v_.Mkdir("/mnt"), 0);
  ASSERT_EQ(v_.WriteWhole("/mnt/hidden", "under"), 5);
  auto mnt = Resolve(ctx_, "/mnt", true);
  ASSERT_TRUE(mnt);
  ASSERT_TRUE(v_.ns().MountAt(*mnt, fs::Tmpfs::Create(), MS_NOSUID));
  EXPECT_EQ(v_.ReadWhole("/mnt/hidden"), "ERR-2");
  ASSERT_EQ(v_.WriteWhole("/mnt/new", "over"), 4);
  EXPECT_EQ(v_.ReadWhole("/mnt/../mnt/new"), "over");
  auto inner = Resolve(ctx_, "/mnt/new", true);
  ASSERT_TRUE(inner);
  EXPECT_EQ(*PathOf(ctx_.root, *inner), "/mnt/new");
  EXPECT_EQ(ErrorOf(RemoveDirectory(ctx_, "/mnt")), -EBUSY);
  EXPECT_EQ(ErrorOf(Rename(ctx_, "/mnt/new", ctx_, "/new", 0)), -EXDEV);
  EXPECT_EQ(ErrorOf(MakeLink(ctx_, "/mnt/new", ctx_, "/new", false)), -EXDEV);
  auto list = v_.ns().List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].path, "/mnt");
  EXPECT_EQ(list[1].type, "tmpfs");
  EXPECT_EQ(list[1].options, "rw,nosuid");
  // Unmount needs the mount's root; then the old file shows again.
  auto root = Resolve(ctx_, "/mnt", true);
  EXPECT_EQ(ErrorOf(v_.ns().Unmount(*inner)), -EINVAL);
  ASSERT_TRUE(v_.ns().Unmount(*root));
  EXPECT_EQ(v_.ReadWhole("/mnt/hidden"), "under");
}

TEST_F(VfsPathTest, ReadOnlyMount) {
  ASSERT_EQ(v_.Mkdir("/ro"), 0);
  auto fs = fs::Tmpfs::Create();
  auto mnt = Resolve(ctx_, "/ro", true);
  ASSERT_TRUE(v_.ns().MountAt(*mnt, fs, MS_RDONLY));
  EXPECT_EQ(v_.Mkdir("/ro/x"), -EROFS);
  EXPECT_EQ(ErrorOf(v_.OpenPath("/ro/f", O_CREAT | O_WRONLY)), -EROFS);
  EXPECT_TRUE(v_.OpenPath("/ro", O_RDONLY));
  EXPECT_EQ(ErrorOf(CheckAccess(ctx_, "/ro", W_OK, true)), -EROFS);
}

TEST_F(VfsPathTest, FsContextAndDirfd) {
  ASSERT_EQ(v_.Mkdir("/home"), 0);
  ASSERT_EQ(v_.WriteWhole("/home/f", "h"), 1);
  auto fsctx = MakeRef<FsContext>(v_.ns().Root(), v_.ns().Root());
  ASSERT_TRUE(ChangeDirectory(*fsctx, ctx_, "/home"));
  EXPECT_EQ(*PathOf(fsctx->root(), fsctx->cwd()), "/home");
  EXPECT_EQ(ErrorOf(ChangeDirectory(*fsctx, ctx_, "/home/f")), -ENOTDIR);
  auto fds = MakeRef<FdTable>();
  auto ctx = ContextAt(*fsctx, *fds, AT_FDCWD, "f", {});
  ASSERT_TRUE(ctx);
  EXPECT_EQ(v_.ReadWhole("/home/f"), "h");
  EXPECT_TRUE(StatPath(*ctx, "f", true));
  int dirfd = fds->Install(*v_.OpenPath("/", O_RDONLY | O_DIRECTORY), false);
  int filefd = fds->Install(*v_.OpenPath("/home/f", O_RDONLY), false);
  auto at_root = ContextAt(*fsctx, *fds, dirfd, "home/f", {});
  ASSERT_TRUE(at_root);
  EXPECT_TRUE(StatPath(*at_root, "home/f", true));
  EXPECT_EQ(ErrorOf(ContextAt(*fsctx, *fds, 99, "x", {})), -EBADF);
  EXPECT_EQ(ErrorOf(ContextAt(*fsctx, *fds, filefd, "x", {})), -ENOTDIR);
  EXPECT_TRUE(ContextAt(*fsctx, *fds, 99, "/abs", {}));  // absolute: dirfd ignored
  auto clone = fsctx->Clone();
  EXPECT_EQ(clone->SetUmask(077), 022u);
  EXPECT_EQ(fsctx->umask(), 022u);
}

}  // namespace
}  // namespace cocoon::kernel::vfs
