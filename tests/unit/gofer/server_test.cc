// The gofer server over a socketpair, in-process, on a temporary directory:
// every operation, escape attempts, read-only mode and bind mounts.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "gofer/client.h"
#include "gofer/server.h"
#include "gofer_test_util.h"

namespace cocoon::gofer {
namespace {

using testing::ServedClient;
using testing::ReadlinkOf;
using testing::StatOf;
using testing::TempTree;
namespace stdfs = std::filesystem;

template <typename T>
int ErrorOf(const ErrOr<T>& r) {
  return r ? 0 : r.error();
}

std::string ReadFd(int fd) {
  std::string out;
  char buf[256];
  for (off_t off = 0;;) {
    ssize_t n = pread(fd, buf, sizeof(buf), off);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.Write("etc/passwd", "root:x:0:0\n");
    tree_.Write("dir/file", "inside");
    tree_.Mkdir("empty");
    outside_.Write("secret", "outside");
    outside_.Write("dir/file", "outside");
    tree_.Symlink("/", "root_link");
    tree_.Symlink("../../etc", "up_link");
    tree_.Symlink(outside_.path("secret"), "abs_link");
    served_ = std::make_unique<ServedClient>(tree_.OpenDir(), false);
    auto root = c().Attach("/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->read_only, 0u);
    EXPECT_TRUE(S_ISDIR(root->node.stat.mode));
    root_ = root->node.handle;
  }
  Client& c() { return served_->client(); }
  uint64_t WalkOne(const std::vector<std::string>& names) {
    auto nodes = c().Walk(root_, names);
    EXPECT_TRUE(nodes) << names.back();
    if (!nodes || nodes->size() != names.size()) return 0;
    return nodes->back().handle;
  }
  std::set<std::string> List(uint64_t dir) {
    std::set<std::string> out;
    auto entries = c().Getdents(dir);
    if (!entries) return {"ERR" + std::to_string(entries.error())};
    for (auto& e : *entries) out.insert(e.name);
    return out;
  }

  TempTree tree_;
  TempTree outside_;
  std::unique_ptr<ServedClient> served_;
  uint64_t root_ = 0;
};

TEST_F(ServerTest, WalkStatAndRead) {
  auto nodes = c().Walk(root_, {"etc", "passwd"});
  ASSERT_TRUE(nodes);
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_TRUE(S_ISDIR((*nodes)[0].stat.mode));
  EXPECT_TRUE(S_ISREG((*nodes)[1].stat.mode));
  EXPECT_EQ((*nodes)[1].stat.size, 11);
  struct stat host {};
  ASSERT_EQ(stat(tree_.path("etc/passwd").c_str(), &host), 0);
  EXPECT_EQ((*nodes)[1].stat.ino, host.st_ino);
  auto st = c().Stat((*nodes)[1].handle);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->ino, host.st_ino);
  auto fd = c().Open((*nodes)[1].handle, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "root:x:0:0\n");
  EXPECT_EQ(write(fd->get(), "x", 1), -1);  // opened read-only
  EXPECT_EQ(ErrorOf(c().Walk(root_, {"missing"})), -ENOENT);
  // A partial walk returns what it walked.
  auto partial = c().Walk(root_, {"etc", "missing"});
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->size(), 1u);
  // Names under a file.
  auto under_file = c().Walk(root_, {"etc", "passwd", "x"});
  ASSERT_TRUE(under_file);
  EXPECT_EQ(under_file->size(), 2u);
  EXPECT_EQ(ErrorOf(c().Walk((*nodes)[1].handle, {"x"})), -ENOTDIR);
}

TEST_F(ServerTest, OpenForWritingAndTruncate) {
  uint64_t file = WalkOne({"dir", "file"});
  auto fd = c().Open(file, O_RDWR);
  ASSERT_TRUE(fd);
  ASSERT_EQ(pwrite(fd->get(), "INS", 3, 0), 3);
  EXPECT_EQ(tree_.Read("dir/file"), "INSide");
  auto trunc = c().Open(file, O_WRONLY | O_TRUNC);
  ASSERT_TRUE(trunc);
  EXPECT_EQ(tree_.Read("dir/file"), "");
  // Unknown flags, and writing a directory.
  EXPECT_EQ(ErrorOf(c().Open(file, O_RDONLY | O_APPEND)), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Open(file, O_ACCMODE)), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Open(WalkOne({"dir"}), O_WRONLY)), -EISDIR);
  auto dirfd = c().Open(WalkOne({"dir"}), O_RDONLY);
  ASSERT_TRUE(dirfd);
  EXPECT_EQ(ErrorOf(c().Open(12345, O_RDONLY)), -EBADF);
}

TEST_F(ServerTest, CreateAndMakeNodes) {
  uint64_t dir = WalkOne({"dir"});
  auto created = c().Create(dir, "new", O_RDWR, 0640, 0, 0);
  ASSERT_TRUE(created);
  ASSERT_EQ(pwrite(created->fd.get(), "hello", 5, 0), 5);
  EXPECT_EQ(tree_.Read("dir/new"), "hello");
  EXPECT_EQ(created->node.stat.mode, S_IFREG | 0640u);
  EXPECT_EQ(ErrorOf(c().Create(dir, "new", O_RDWR, 0640, 0, 0)), -EEXIST);

  auto sub = c().Mkdir(dir, "sub", 0750, 0, 0);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->stat.mode, S_IFDIR | 0750u);
  EXPECT_TRUE(stdfs::is_directory(tree_.path("dir/sub")));

  auto fifo = c().Mknod(dir, "fifo", S_IFIFO | 0600, 0, 0, 0);
  ASSERT_TRUE(fifo);
  EXPECT_TRUE(S_ISFIFO(fifo->stat.mode));
  EXPECT_EQ(ErrorOf(c().Open(fifo->handle, O_RDONLY)), -ENXIO);  // host fifos are never opened
  auto reg = c().Mknod(dir, "reg", S_IFREG | 0644, 0, 0, 0);
  ASSERT_TRUE(reg);
  EXPECT_TRUE(S_ISREG(reg->stat.mode));
  auto dev = c().Mknod(dir, "null", S_IFCHR | 0666, makedev(1, 3), 0, 0);
  if (geteuid() == 0) {
    ASSERT_TRUE(dev);
    EXPECT_EQ(dev->stat.rdev, makedev(1, 3));
    EXPECT_EQ(ErrorOf(c().Open(dev->handle, O_RDWR)), -ENXIO);  // host devices are never opened
  }
  EXPECT_EQ(ErrorOf(c().Mknod(dir, "bad", S_IFDIR | 0755, 0, 0, 0)), -EINVAL);

  auto link = c().Symlink(dir, "sl", "../etc/passwd", 0, 0);
  ASSERT_TRUE(link);
  EXPECT_TRUE(S_ISLNK(link->stat.mode));
  EXPECT_EQ(ReadlinkOf(c(), link->handle), "../etc/passwd");
  EXPECT_EQ(stdfs::read_symlink(tree_.path("dir/sl")), "../etc/passwd");
  EXPECT_EQ(ErrorOf(c().Readlink(dir)), -EINVAL);

  uint64_t passwd = WalkOne({"etc", "passwd"});
  auto hard = c().Link(dir, "hard", passwd);
  ASSERT_TRUE(hard);
  EXPECT_EQ(hard->stat.nlink, 2u);
  EXPECT_EQ(tree_.Read("dir/hard"), "root:x:0:0\n");
  EXPECT_EQ(ErrorOf(c().Link(dir, "dirlink", dir)), -EPERM);

  // Ownership as asked (the server runs as root here).
  if (geteuid() == 0) {
    auto owned = c().Mkdir(dir, "owned", 0755, 1234, 5678);
    ASSERT_TRUE(owned);
    struct stat st {};
    ASSERT_EQ(lstat(tree_.path("dir/owned").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
    EXPECT_EQ(owned->stat.uid, 1234u);
    auto owned_link = c().Symlink(dir, "owned_link", "x", 42, 43);
    ASSERT_TRUE(owned_link);
    ASSERT_EQ(lstat(tree_.path("dir/owned_link").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 42u);
    auto owned_file = c().Create(dir, "owned_file", O_WRONLY, 0600, 7, 8);
    ASSERT_TRUE(owned_file);
    ASSERT_EQ(stat(tree_.path("dir/owned_file").c_str(), &st), 0);
    EXPECT_EQ(st.st_gid, 8u);
  }
}

TEST_F(ServerTest, UnlinkRenameAndList) {
  uint64_t dir = WalkOne({"dir"});
  EXPECT_EQ(List(dir), (std::set<std::string>{"file"}));
  EXPECT_EQ(List(root_), (std::set<std::string>{"etc", "dir", "empty", "root_link", "up_link", "abs_link"}));
  EXPECT_EQ(ErrorOf(c().Unlink(root_, "empty", 0)), -EISDIR);
  EXPECT_TRUE(c().Unlink(root_, "empty", AT_REMOVEDIR));
  EXPECT_FALSE(tree_.Exists("empty"));
  EXPECT_EQ(ErrorOf(c().Unlink(root_, "dir", AT_REMOVEDIR)), -ENOTEMPTY);
  EXPECT_EQ(ErrorOf(c().Unlink(root_, "dir", 0x4000)), -EINVAL);

  // A renamed file is still opened where it went.
  uint64_t file = WalkOne({"dir", "file"});
  ASSERT_TRUE(c().Rename(dir, "file", root_, "moved", 0));
  EXPECT_EQ(tree_.Read("moved"), "inside");
  auto fd = c().Open(file, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "inside");
  EXPECT_EQ(ErrorOf(c().Rename(root_, "moved", root_, "etc", RENAME_NOREPLACE)), -EEXIST);
  // Exchange, and a node whose name was replaced is stale.
  uint64_t passwd = WalkOne({"etc", "passwd"});
  ASSERT_TRUE(c().Rename(root_, "moved", WalkOne({"etc"}), "passwd", RENAME_EXCHANGE));
  EXPECT_EQ(tree_.Read("etc/passwd"), "inside");
  EXPECT_EQ(tree_.Read("moved"), "root:x:0:0\n");
  fd = c().Open(passwd, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "root:x:0:0\n");  // followed its file
  ASSERT_TRUE(c().Rename(root_, "moved", WalkOne({"etc"}), "passwd", 0));
  EXPECT_EQ(ErrorOf(c().Open(file, O_RDONLY)), -ESTALE);  // "inside" was replaced
  EXPECT_EQ(ErrorOf(c().Rename(root_, "x", root_, "y", RENAME_WHITEOUT)), -EINVAL);

  ASSERT_TRUE(c().Unlink(WalkOne({"etc"}), "passwd", 0));
  EXPECT_EQ(ErrorOf(c().Open(passwd, O_RDONLY)), -ESTALE);
  EXPECT_FALSE(tree_.Exists("etc/passwd"));
}

TEST_F(ServerTest, LargeDirectoryListsOverManyPages) {
  uint64_t dir = WalkOne({"dir"});
  std::set<std::string> want = {"file"};
  for (int i = 0; i < 2000; ++i) {
    std::string name = "entry-with-a-fairly-long-name-" + std::to_string(i);
    ASSERT_TRUE(c().Mknod(dir, name, S_IFREG | 0644, 0, 0, 0)) << i;
    want.insert(name);
  }
  auto first = c().GetdentsPage(dir, 0);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->end, 0u);  // did not fit in one reply
  EXPECT_EQ(List(dir), want);
}

TEST_F(ServerTest, Setstat) {
  uint64_t file = WalkOne({"dir", "file"});
  SetstatRequest set;
  set.handle = file;
  set.mask = kSetMode | kSetSize | kSetMtime | kSetAtime;
  set.mode = 0604;
  set.size = 3;
  set.atime = {1000, 5};
  set.mtime = {2000, 6};
  ASSERT_TRUE(c().Setstat(set));
  auto st = c().Stat(file);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->mode, S_IFREG | 0604u);
  EXPECT_EQ(st->size, 3);
  EXPECT_EQ(st->atime.tv_sec, 1000);
  EXPECT_EQ(st->mtime.tv_sec, 2000);
  EXPECT_EQ(st->mtime.tv_nsec, 6);
  EXPECT_EQ(tree_.Read("dir/file"), "ins");
  if (geteuid() == 0) {
    SetstatRequest own;
    own.handle = file;
    own.mask = kSetUid | kSetGid;
    own.uid = 321;
    own.gid = 654;
    ASSERT_TRUE(c().Setstat(own));
    EXPECT_EQ(StatOf(c(), file).uid, 321u);
    // Only the gid this time: the uid stays.
    own.mask = kSetGid;
    own.gid = 1;
    ASSERT_TRUE(c().Setstat(own));
    EXPECT_EQ(StatOf(c(), file).uid, 321u);
    EXPECT_EQ(StatOf(c(), file).gid, 1u);
  }
  SetstatRequest bad;
  bad.handle = file;
  bad.mask = 1u << 10;
  EXPECT_EQ(ErrorOf(c().Setstat(bad)), -EINVAL);
  bad.mask = kSetMtime;
  bad.mtime = {0, 2'000'000'000};
  EXPECT_EQ(ErrorOf(c().Setstat(bad)), -EINVAL);
  bad.mask = kSetSize;
  bad.handle = WalkOne({"dir"});
  EXPECT_EQ(ErrorOf(c().Setstat(bad)), -EISDIR);
}

TEST_F(ServerTest, StatfsFsyncClose) {
  uint64_t file = WalkOne({"dir", "file"});
  auto fs = c().Statfs(file);
  ASSERT_TRUE(fs);
  EXPECT_GT(fs->bsize, 0u);
  EXPECT_GT(fs->namelen, 0u);
  EXPECT_TRUE(c().Fsync(file));
  EXPECT_TRUE(c().Fsync(root_));
  EXPECT_TRUE(c().Close(file));
  EXPECT_EQ(ErrorOf(c().Stat(file)), -EBADF);
  EXPECT_EQ(ErrorOf(c().Close(file)), -EBADF);
}

TEST_F(ServerTest, HandlesAreForgotten) {
  ServedClient s(tree_.OpenDir(), false);
  auto root = s.client().Attach("/");
  ASSERT_TRUE(root);
  for (int i = 0; i < 100; ++i) {
    auto nodes = s.client().Walk(root->node.handle, {"dir", "file"});
    ASSERT_TRUE(nodes);
    for (auto& n : *nodes) ASSERT_TRUE(s.client().Close(n.handle));
  }
  s.Stop();
  EXPECT_EQ(s.server().handle_count(), 1u);  // the root
}

// ---- Escapes.

TEST_F(ServerTest, DotDotAndSlashNamesAreRejected) {
  EXPECT_EQ(ErrorOf(c().Walk(root_, {".."})), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Walk(root_, {"."})), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Walk(root_, {"dir", ".."})), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Walk(root_, {"dir/file"})), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Walk(root_, {"/etc"})), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Mkdir(root_, "..", 0755, 0, 0)), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Rename(root_, "dir", root_, "../escaped", 0)), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Create(root_, "a/../../b", O_RDWR, 0644, 0, 0)), -EINVAL);
  EXPECT_EQ(ErrorOf(c().Walk(root_, {std::string("dir\0x", 5)})), -EINVAL);
  EXPECT_FALSE(stdfs::exists(stdfs::path(tree_.path()).parent_path() / "escaped"));
}

TEST_F(ServerTest, SymlinksAreReturnedNotFollowed) {
  for (auto [name, target] : {std::pair{"root_link", "/"}, std::pair{"up_link", "../../etc"}}) {
    auto nodes = c().Walk(root_, {name, "passwd"});
    ASSERT_TRUE(nodes) << name;
    ASSERT_EQ(nodes->size(), 1u) << name;  // stopped at the link
    EXPECT_TRUE(S_ISLNK((*nodes)[0].stat.mode));
    EXPECT_EQ(ReadlinkOf(c(), (*nodes)[0].handle), target);
    EXPECT_EQ(ErrorOf(c().Open((*nodes)[0].handle, O_RDONLY)), -ELOOP);
    EXPECT_EQ(ErrorOf(c().Walk((*nodes)[0].handle, {"passwd"})), -ENOTDIR);
  }
  uint64_t abs = WalkOne({"abs_link"});
  EXPECT_EQ(ErrorOf(c().Open(abs, O_RDONLY)), -ELOOP);
  EXPECT_EQ(ErrorOf(c().Create(abs, "x", O_RDWR, 0644, 0, 0)), -ENOTDIR);
  EXPECT_EQ(outside_.Read("secret"), "outside");
}

TEST_F(ServerTest, FileSwappedForSymlinkIsNotOpened) {
  uint64_t file = WalkOne({"dir", "file"});
  // On the host: the file is moved away and a symlink out takes its name.
  stdfs::rename(tree_.path("dir/file"), tree_.path("dir/file.old"));
  tree_.Symlink(outside_.path("secret"), "dir/file");
  EXPECT_EQ(ErrorOf(c().Open(file, O_RDONLY)), -ELOOP);
  // Or another file inside takes it: not the file that was walked to.
  stdfs::remove(tree_.path("dir/file"));
  tree_.Write("dir/file", "other");
  EXPECT_EQ(ErrorOf(c().Open(file, O_RDONLY)), -ESTALE);
}

TEST_F(ServerTest, DirectorySwappedForSymlinkStaysInside) {
  uint64_t dir = WalkOne({"dir"});
  stdfs::rename(tree_.path("dir"), tree_.path("dir.old"));
  tree_.Symlink(outside_.path("dir"), "dir");
  // The walked node is the directory itself, wherever it went.
  auto nodes = c().Walk(dir, {"file"});
  ASSERT_TRUE(nodes);
  auto fd = c().Open((*nodes)[0].handle, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "inside");
  EXPECT_EQ(List(dir), (std::set<std::string>{"file"}));
  // A new walk by name meets the symlink and stops.
  auto again = c().Walk(root_, {"dir", "file"});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->size(), 1u);
  EXPECT_TRUE(S_ISLNK((*again)[0].stat.mode));
}

TEST_F(ServerTest, RenameRaceNeverOpensOutside) {
  // "d" and the symlink "s" (to a directory outside) swap places as fast as
  // the host can while the client walks d/file and reads it.
  tree_.Symlink(outside_.path("dir"), "s");
  tree_.Write("d/file", "inside");
  std::atomic<bool> stop{false};
  std::string d = tree_.path("d"), s = tree_.path("s");
  std::thread swapper([&] {
    while (!stop) syscall(SYS_renameat2, AT_FDCWD, d.c_str(), AT_FDCWD, s.c_str(), RENAME_EXCHANGE);
  });
  int opened = 0, leaked = 0;
  for (int i = 0; i < 3000 && leaked == 0; ++i) {
    auto nodes = c().Walk(root_, {"d", "file"});
    if (!nodes || nodes->size() != 2) continue;
    auto fd = c().Open(nodes->back().handle, O_RDONLY);
    if (fd) {
      ++opened;
      if (ReadFd(fd->get()) != "inside") ++leaked;
    }
    for (auto& n : *nodes) (void)c().Close(n.handle);
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(leaked, 0);
  EXPECT_GT(opened, 0);
}

TEST_F(ServerTest, MalformedRequestsGetEinvalAndServingGoesOn) {
  for (std::vector<char> junk : {std::vector<char>(3, 'x'), std::vector<char>(100, '\xff'),
                                 std::vector<char>(kMaxMessageSize + 100, 'a')}) {
    auto reply = c().RoundTrip(junk, nullptr);
    if (junk.size() > kMaxMessageSize) {
      EXPECT_EQ(ErrorOf(reply), -EINVAL);  // refused before sending
      continue;
    }
    ASSERT_TRUE(reply);
    ASSERT_GE(reply->size(), kHeaderSize + 4);
    int32_t err;
    memcpy(&err, reply->data() + kHeaderSize, 4);
    EXPECT_EQ(err, EINVAL);
  }
  EXPECT_TRUE(c().Stat(root_));
}

// ---- Read-only mode and bind mounts.

TEST(ServerReadOnlyTest, EveryMutationIsErofs) {
  TempTree tree;
  tree.Write("dir/file", "data");
  tree.Mkdir("empty");
  ServedClient s(tree.OpenDir(), true);
  Client& c = s.client();
  auto root = c.Attach("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->read_only, 1u);
  uint64_t r = root->node.handle;
  auto nodes = c.Walk(r, {"dir", "file"});
  ASSERT_TRUE(nodes);
  uint64_t dir = (*nodes)[0].handle, file = (*nodes)[1].handle;
  EXPECT_EQ(ErrorOf(c.Create(dir, "n", O_RDWR, 0644, 0, 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Mkdir(dir, "n", 0755, 0, 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Mknod(dir, "n", S_IFREG | 0644, 0, 0, 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Symlink(dir, "n", "x", 0, 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Link(dir, "n", file)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Unlink(dir, "file", 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Unlink(r, "empty", AT_REMOVEDIR)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Rename(dir, "file", r, "moved", 0)), -EROFS);
  for (uint32_t mask : {kSetMode, kSetUid, kSetGid, kSetSize, kSetAtime, kSetMtime}) {
    SetstatRequest set;
    set.handle = file;
    set.mask = mask;
    set.atime = set.mtime = {1, 0};
    EXPECT_EQ(ErrorOf(c.Setstat(set)), -EROFS) << mask;
  }
  EXPECT_EQ(ErrorOf(c.Open(file, O_WRONLY)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Open(file, O_RDWR)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Open(file, O_RDONLY | O_TRUNC)), -EROFS);
  auto fd = c.Open(file, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "data");
  EXPECT_EQ(tree.Read("dir/file"), "data");
  EXPECT_TRUE(tree.Exists("empty"));
  EXPECT_FALSE(tree.Exists("dir/n"));
}

TEST(ServerMountTest, BindMountsAreServed) {
  TempTree root, data, config;
  root.Mkdir("data");
  data.Write("in-volume", "volume");
  config.Write("app.conf", "conf");
  std::vector<ServedMount> mounts;
  mounts.push_back({"/data", data.OpenDir(), false});
  mounts.push_back({"/etc/app", config.OpenDir(), true});
  ServedClient s(root.OpenDir(), true, std::move(mounts));
  Client& c = s.client();
  auto vol = c.Attach("/data");
  ASSERT_TRUE(vol);
  EXPECT_EQ(vol->read_only, 0u);
  auto nodes = c.Walk(vol->node.handle, {"in-volume"});
  ASSERT_TRUE(nodes);
  auto fd = c.Open((*nodes)[0].handle, O_RDONLY);
  ASSERT_TRUE(fd);
  EXPECT_EQ(ReadFd(fd->get()), "volume");
  // The volume is writable though the root is not.
  auto created = c.Create(vol->node.handle, "written", O_RDWR, 0644, 0, 0);
  ASSERT_TRUE(created);
  EXPECT_TRUE(data.Exists("written"));
  auto rootfs = c.Attach("/");
  ASSERT_TRUE(rootfs);
  EXPECT_EQ(ErrorOf(c.Mkdir(rootfs->node.handle, "x", 0755, 0, 0)), -EROFS);
  auto conf = c.Attach("/etc/app");
  ASSERT_TRUE(conf);
  EXPECT_EQ(conf->read_only, 1u);
  EXPECT_EQ(ErrorOf(c.Create(conf->node.handle, "x", O_RDWR, 0644, 0, 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Attach("/nope")), -ENOENT);
  EXPECT_EQ(ErrorOf(c.Attach("/data/")), -ENOENT);
  // Trees do not mix.
  EXPECT_EQ(ErrorOf(c.Rename(vol->node.handle, "written", conf->node.handle, "w", 0)), -EROFS);
  EXPECT_EQ(ErrorOf(c.Link(conf->node.handle, "l", created->node.handle)), -EROFS);
  // Walking ".." out of a volume is refused.
  EXPECT_EQ(ErrorOf(c.Walk(vol->node.handle, {".."})), -EINVAL);
}

TEST(ServerMountTest, CrossTreeRenameIsExdev) {
  TempTree root, data;
  root.Write("f", "x");
  std::vector<ServedMount> mounts;
  mounts.push_back({"/data", data.OpenDir(), false});
  ServedClient s(root.OpenDir(), false, std::move(mounts));
  auto r = s.client().Attach("/");
  auto d = s.client().Attach("/data");
  ASSERT_TRUE(r && d);
  EXPECT_EQ(ErrorOf(s.client().Rename(r->node.handle, "f", d->node.handle, "f", 0)), -EXDEV);
  auto f = s.client().Walk(r->node.handle, {"f"});
  ASSERT_TRUE(f);
  EXPECT_EQ(ErrorOf(s.client().Link(d->node.handle, "f", (*f)[0].handle)), -EXDEV);
}

}  // namespace
}  // namespace cocoon::gofer
