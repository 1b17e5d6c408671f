// Tests for pipes and fifos: EOF, EPIPE, PIPE_BUF atomicity, blocking,
// interrupts, poll.
#include "kernel/fs/pipe.h"

#include <fcntl.h>
#include <poll.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "kernel/vfs/poll.h"
#include "vfs_test_util.h"

namespace cocoon::kernel::fs {
namespace {

using vfs::FileDescription;

TEST(PipeTest, ReadWriteEofAndEpipe) {
  auto [r, w] = NewPipe(0);
  EXPECT_EQ(w->Write(std::string_view("hello")), 5);
  EXPECT_EQ(*r->BytesReadable(), 5);
  char buf[16];
  EXPECT_EQ(r->Read({buf, 3}), 3);
  EXPECT_EQ(r->Read(buf), 2);
  EXPECT_EQ(r->Write(std::string_view("x")), -EBADF);
  EXPECT_EQ(w->Read(buf), -EBADF);
  EXPECT_EQ(r->Seek(0, SEEK_SET), -ESPIPE);
  EXPECT_EQ(r->PRead(buf, 0), -ESPIPE);
  EXPECT_TRUE(S_ISFIFO(r->GetStat()->mode));
  w = nullptr;
  EXPECT_EQ(r->Read(buf), 0);  // EOF
  auto [r2, w2] = NewPipe(0);
  r2 = nullptr;
  EXPECT_EQ(w2->Write(std::string_view("x")), -EPIPE);
}

TEST(PipeTest, NonblockingAndAtomicWrites) {
  auto [r, w] = NewPipe(O_NONBLOCK);
  char buf[8];
  EXPECT_EQ(r->Read(buf), -EAGAIN);
  std::string big(kPipeCapacity - 100, 'a');
  EXPECT_EQ(w->Write(big), static_cast<int64_t>(big.size()));
  // 200 bytes <= PIPE_BUF do not fit in the 100 left: nothing is written.
  EXPECT_EQ(w->Write(std::string(200, 'b')), -EAGAIN);
  // A write larger than PIPE_BUF is split: the first 100 bytes go in.
  EXPECT_EQ(w->Write(std::string(kPipeBuf + 1, 'c')), 100);
  EXPECT_EQ(w->Write(std::string(1, 'd')), -EAGAIN);
}

TEST(PipeTest, BlockingReadWakesOnWrite) {
  auto [r, w] = NewPipe(0);
  std::thread writer([w = w] { EXPECT_EQ(w->Write(std::string_view("late")), 4); });
  char buf[8];
  EXPECT_EQ(r->Read(buf), 4);
  writer.join();
}

TEST(PipeTest, BlockingWriteCompletesAsReaderDrains) {
  auto [r, w] = NewPipe(0);
  std::string big(kPipeCapacity * 3, 'x');
  std::thread writer([w = w, &big] { EXPECT_EQ(w->Write(big), static_cast<int64_t>(big.size())); });
  size_t total = 0;
  char buf[4096];
  while (total < big.size()) {
    int64_t n = r->Read(buf);
    ASSERT_GT(n, 0);
    total += static_cast<size_t>(n);
  }
  writer.join();
  EXPECT_EQ(total, big.size());
}

TEST(PipeTest, InterruptEndsABlockedRead) {
  auto [r, w] = NewPipe(0);
  vfs::Waiter* waiter = nullptr;
  std::atomic<bool> ready{false};
  int64_t result = 0;
  std::thread reader([&, r = r] {
    waiter = &vfs::Waiter::ForThisThread();
    ready = true;
    char buf[4];
    result = r->Read(buf);
  });
  while (!ready) std::this_thread::yield();
  waiter->Interrupt();  // before or during the wait: both must end it
  reader.join();
  EXPECT_EQ(result, -EINTR);
}

TEST(PipeTest, WriterGoneWakesBlockedReader) {
  auto [r, w] = NewPipe(0);
  std::thread closer([w = std::move(w)]() mutable { w = nullptr; });
  char buf[4];
  EXPECT_EQ(r->Read(buf), 0);
  closer.join();
}

TEST(PipeTest, Poll) {
  auto [r, w] = NewPipe(0);
  vfs::PollItem items[2] = {{r, POLLIN}, {w, POLLOUT}};
  EXPECT_EQ(vfs::Poll(items, std::chrono::steady_clock::now()), 1);
  EXPECT_EQ(items[0].revents, 0u);
  EXPECT_EQ(items[1].revents, static_cast<uint32_t>(POLLOUT));
  std::thread writer([w = w] { w->Write(std::string_view("x")); });
  vfs::PollItem in[1] = {{r, POLLIN}};
  EXPECT_EQ(vfs::Poll(in, std::nullopt), 1);  // blocks until the write
  EXPECT_TRUE(in[0].revents & POLLIN);
  writer.join();
  w = nullptr;
  items[1].file = nullptr;  // the last reference to the write end
  vfs::PollItem hup[2] = {{r, POLLIN}, {nullptr, POLLIN}};
  EXPECT_EQ(vfs::Poll(hup, std::nullopt), 2);
  EXPECT_TRUE(hup[0].revents & POLLHUP);
  EXPECT_EQ(hup[1].revents, static_cast<uint32_t>(POLLNVAL));
}

TEST(PipeTest, PollTimesOut) {
  auto [r, w] = NewPipe(0);
  vfs::PollItem items[1] = {{r, POLLIN}};
  EXPECT_EQ(vfs::Poll(items, std::chrono::steady_clock::now() + std::chrono::milliseconds(5)), 0);
}

TEST(PipeTest, Capacity) {
  auto [r, w] = NewPipe(0);
  auto* end = static_cast<PipeEnd*>(w.get());
  EXPECT_EQ(end->pipe().SetCapacity(5000), 8192);
  EXPECT_EQ(end->pipe().SetCapacity(kPipeMaxCapacity + 1), -EPERM);
  EXPECT_EQ(w->Write(std::string(8000, 'x')), 8000);
  EXPECT_EQ(end->pipe().SetCapacity(4096), -EBUSY);
}

TEST(FifoTest, OpenSemantics) {
  vfs::testing::VfsFixture v;
  ASSERT_TRUE(vfs::MakeNode(v.Ctx(), "/fifo", S_IFIFO | 0644, 0, 022));
  // No reader: a non-blocking writer open fails; a non-blocking reader open works.
  EXPECT_EQ(vfs::testing::ErrorOf(v.OpenPath("/fifo", O_WRONLY | O_NONBLOCK)), -ENXIO);
  auto r = v.OpenPath("/fifo", O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(r);
  auto w = v.OpenPath("/fifo", O_WRONLY);  // a reader exists: does not block
  ASSERT_TRUE(w);
  EXPECT_EQ((*w)->Write(std::string_view("via fifo")), 8);
  char buf[16];
  EXPECT_EQ((*r)->Read(buf), 8);
  EXPECT_TRUE(S_ISFIFO((*r)->GetStat()->mode));
  // A blocking reader open waits for a writer (kept open until the join).
  w->reset();
  vfs::ErrOr<vfs::Ref<FileDescription>> w2 = vfs::Fail(EBADF);
  std::thread writer([&v, &w2] { w2 = v.OpenPath("/fifo", O_WRONLY); });
  auto r2 = v.OpenPath("/fifo", O_RDONLY);
  EXPECT_TRUE(r2);
  writer.join();
  EXPECT_TRUE(w2);
  EXPECT_TRUE(v.OpenPath("/fifo", O_RDWR));
}

}  // namespace
}  // namespace cocoon::kernel::fs
