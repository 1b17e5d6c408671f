// Tests for the container metadata store.
#include "container/store.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "base/file.h"

namespace cocoon::container {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cocoon-store-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Record Sample(const std::string& id) {
    Record r;
    r.id = id;
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.pid = 42;
    r.pid_start_time = 7;
    r.created = "2026-01-01T00:00:00.000000000Z";
    r.create_finished = true;
    r.spec = {{"ociVersion", "1.0.2"}};
    r.annotations = {{"k", "v"}};
    return r;
  }

  std::string dir_;
};

TEST_F(StoreTest, SavesAndLoadsRecords) {
  Store store(dir_ + "/root");
  auto lock = store.CreateAndLock("c1");
  ASSERT_TRUE(lock) << lock.error().message();
  ASSERT_TRUE(store.Save(Sample("c1")));
  auto loaded = store.Load("c1");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(RecordToJson(*loaded), RecordToJson(Sample("c1")));
  EXPECT_EQ(*store.List(), std::vector<std::string>{"c1"});
}

TEST_F(StoreTest, DuplicateIdIsRejected) {
  Store store(dir_);
  ASSERT_TRUE(store.CreateAndLock("dup"));
  auto again = store.CreateAndLock("dup");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message(), "container with id \"dup\" already exists");
}

TEST_F(StoreTest, MissingContainerDoesNotExist) {
  Store store(dir_);
  auto lock = store.LockExisting("nope");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().message(), "container \"nope\" does not exist");
}

TEST_F(StoreTest, BadIdIsRejectedBeforeTouchingDisk) {
  Store store(dir_ + "/root");
  EXPECT_FALSE(store.CreateAndLock("../escape"));
  EXPECT_FALSE(PathExists(dir_ + "/root"));
  EXPECT_FALSE(PathExists(dir_ + "/escape"));
}

TEST_F(StoreTest, RemoveDeletesEverything) {
  Store store(dir_);
  {
    auto lock = store.CreateAndLock("gone");
    ASSERT_TRUE(lock);
    ASSERT_TRUE(store.Save(Sample("gone")));
    ASSERT_TRUE(MakeDirs(store.Dir("gone") + "/a/b"));
    ASSERT_TRUE(store.Remove("gone"));
  }
  EXPECT_FALSE(PathExists(store.Dir("gone")));
  EXPECT_TRUE(store.List()->empty());
}

TEST_F(StoreTest, LockSerializesProcesses) {
  Store store(dir_);
  auto lock = store.CreateAndLock("locked");
  ASSERT_TRUE(lock);
  ASSERT_TRUE(store.Save(Sample("locked")));
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    lock->CloseInChild();  // a forked copy would hold the lock for us
    Store other(dir_);
    auto taken = other.LockExisting("locked");  // blocks until the parent unlocks
    char c = taken ? 'y' : 'n';
    (void)!write(fds[1], &c, 1);
    _exit(0);
  }
  close(fds[1]);
  usleep(50000);
  char c = 0;
  // Nothing yet: the child is blocked on the lock.
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  EXPECT_EQ(read(fds[0], &c, 1), -1);
  *lock = Lock();  // release
  fcntl(fds[0], F_SETFL, 0);
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  close(fds[0]);
  waitpid(child, nullptr, 0);
}

}  // namespace
}  // namespace cocoon::container
