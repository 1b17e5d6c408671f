// Pipe buffers, ends and fifo opens.
#include "kernel/fs/pipe.h"

#include <sys/sysmacros.h>

#include <atomic>
#include <climits>

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

constexpr uint32_t kReadable = POLLIN | POLLRDNORM;
constexpr uint32_t kWritable = POLLOUT | POLLWRNORM;
constexpr uint32_t kAllEvents = kReadable | kWritable | POLLHUP | POLLERR;

std::atomic<uint64_t> next_pipe_ino{1};

// Waits for `ready` (called under no lock) to stop saying -EAGAIN, as a
// blocking operation on `queue` does. `ready` returns the final result or
// -EAGAIN to keep waiting.
template <typename F>
int64_t BlockUntil(vfs::WaitQueue& queue, uint32_t events, bool nonblocking, F ready) {
  int64_t result = ready();
  if (result != -EAGAIN || nonblocking) return result;
  vfs::Waiter& waiter = vfs::Waiter::ForThisThread();
  vfs::WaitQueue::Entry entry(queue, waiter, events);
  for (;;) {
    waiter.Prepare();
    result = ready();
    if (result != -EAGAIN) return result;
    if (int err = waiter.Wait()) return err;
  }
}

}  // namespace

int64_t Pipe::Read(std::span<char> buf, bool nonblocking) {
  if (buf.empty()) return 0;
  return BlockUntil(queue_, kReadable | POLLHUP, nonblocking, [&]() -> int64_t {
    std::unique_lock lock(mu_);
    if (data_.empty()) return writers_ == 0 ? 0 : -EAGAIN;
    size_t n = std::min(buf.size(), data_.size());
    std::copy_n(data_.begin(), n, buf.begin());
    data_.erase(data_.begin(), data_.begin() + static_cast<ptrdiff_t>(n));
    lock.unlock();
    queue_.Notify(kWritable);
    return static_cast<int64_t>(n);
  });
}

int64_t Pipe::Write(std::span<const char> buf, bool nonblocking) {
  if (buf.empty()) return 0;  // Linux checks the length before the readers
  // Writes up to PIPE_BUF go in whole or not at all; larger ones in pieces.
  const bool atomic = buf.size() <= kPipeBuf;
  size_t written = 0;
  int64_t result = BlockUntil(queue_, kWritable | POLLERR, nonblocking, [&]() -> int64_t {
    std::unique_lock lock(mu_);
    if (readers_ == 0) return written ? static_cast<int64_t>(written) : -EPIPE;
    size_t free = capacity_ - data_.size();
    size_t want = buf.size() - written;
    if (atomic ? free < want : free == 0) return -EAGAIN;
    size_t n = std::min(free, want);
    data_.insert(data_.end(), buf.begin() + static_cast<ptrdiff_t>(written),
                 buf.begin() + static_cast<ptrdiff_t>(written + n));
    written += n;
    lock.unlock();
    queue_.Notify(kReadable);
    return written == buf.size() ? static_cast<int64_t>(written) : -EAGAIN;
  });
  // A partial write that would block (O_NONBLOCK) or was interrupted still
  // reports what went in.
  if ((result == -EAGAIN || result == -EINTR) && written > 0) return static_cast<int64_t>(written);
  return result;
}

uint32_t Pipe::ReaderReadiness(uint32_t mask) {
  std::lock_guard lock(mu_);
  uint32_t ready = 0;
  if (!data_.empty()) ready |= kReadable;
  if (writers_ == 0 && had_writer_) ready |= POLLHUP;
  return ready & mask;
}

uint32_t Pipe::WriterReadiness(uint32_t mask) {
  std::lock_guard lock(mu_);
  uint32_t ready = 0;
  if (capacity_ - data_.size() >= kPipeBuf) ready |= kWritable;
  if (readers_ == 0) ready |= POLLERR;
  return ready & mask;
}

size_t Pipe::Available() {
  std::lock_guard lock(mu_);
  return data_.size();
}

size_t Pipe::capacity() {
  std::lock_guard lock(mu_);
  return capacity_;
}

int64_t Pipe::SetCapacity(size_t size) {
  if (size > kPipeMaxCapacity) return -EPERM;
  size_t rounded = std::max<size_t>(4096, (size + 4095) / 4096 * 4096);
  std::lock_guard lock(mu_);
  if (data_.size() > rounded) return -EBUSY;
  capacity_ = rounded;
  return static_cast<int64_t>(rounded);
}

void Pipe::AddEnd(bool reader) {
  {
    std::lock_guard lock(mu_);
    if (reader) {
      ++readers_;
      ++reader_opens_;
    } else {
      ++writers_;
      ++writer_opens_;
      had_writer_ = true;
    }
  }
  queue_.Notify(kAllEvents);
}

void Pipe::RemoveEnd(bool reader) {
  {
    std::lock_guard lock(mu_);
    --(reader ? readers_ : writers_);
  }
  queue_.Notify(kAllEvents);  // readers see EOF/POLLHUP, writers EPIPE/POLLERR
}

bool Pipe::has_readers() {
  std::lock_guard lock(mu_);
  return readers_ > 0;
}

int Pipe::WaitForPeer(bool reader) {
  uint64_t seen;
  {
    std::lock_guard lock(mu_);
    seen = reader ? writer_opens_ : reader_opens_;
    if ((reader ? writers_ : readers_) > 0) return 0;
  }
  return static_cast<int>(BlockUntil(queue_, kAllEvents, false, [&]() -> int64_t {
    std::lock_guard lock(mu_);
    uint64_t now = reader ? writer_opens_ : reader_opens_;
    return now != seen ? 0 : -EAGAIN;
  }));
}

PipeEnd::PipeEnd(Ref<Pipe> pipe, bool reads, bool writes)
    : pipe_(std::move(pipe)), reads_(reads), writes_(writes), ino_(next_pipe_ino.fetch_add(1)) {
  if (reads_) pipe_->AddEnd(true);
  if (writes_) pipe_->AddEnd(false);
}

PipeEnd::~PipeEnd() {
  if (reads_) pipe_->RemoveEnd(true);
  if (writes_) pipe_->RemoveEnd(false);
}

int64_t PipeEnd::DoRead(std::span<char> buf) { return pipe_->Read(buf, nonblocking()); }

int64_t PipeEnd::DoWrite(std::span<const char> buf) { return pipe_->Write(buf, nonblocking()); }

ErrOr<int64_t> PipeEnd::BytesReadable() { return static_cast<int64_t>(pipe_->Available()); }

uint32_t PipeEnd::Readiness(uint32_t mask) {
  uint32_t ready = 0;
  if (reads_) ready |= pipe_->ReaderReadiness(mask);
  if (writes_) ready |= pipe_->WriterReadiness(mask);
  return ready;
}

ErrOr<vfs::Stat> PipeEnd::DoGetStat() {
  if (location()) return FileDescription::DoGetStat();  // a fifo: its inode
  // Anonymous pipes live on pipefs: a fifo inode owned by the creator.
  static const uint64_t kPipefsDev = makedev(0, 12);
  vfs::Stat s;
  s.dev = kPipefsDev;
  s.ino = ino_;
  s.mode = S_IFIFO | 0600;
  s.nlink = 1;
  s.blksize = 4096;
  return s;
}

std::pair<Ref<vfs::FileDescription>, Ref<vfs::FileDescription>> NewPipe(int flags) {
  auto pipe = MakeRef<Pipe>();
  Ref<vfs::FileDescription> read_end = MakeRef<PipeEnd>(pipe, true, false);
  Ref<vfs::FileDescription> write_end = MakeRef<PipeEnd>(pipe, false, true);
  int status = flags & O_NONBLOCK;
  read_end->Init({}, O_RDONLY | status);
  write_end->Init({}, O_WRONLY | status);
  return {read_end, write_end};
}

ErrOr<Ref<vfs::FileDescription>> OpenFifo(Ref<Pipe> pipe, int flags) {
  int acc = flags & O_ACCMODE;
  bool nonblocking = flags & O_NONBLOCK;
  if (acc == O_WRONLY && nonblocking && !pipe->has_readers()) return Fail(ENXIO);
  bool reads = acc == O_RDONLY || acc == O_RDWR;
  bool writes = acc == O_WRONLY || acc == O_RDWR;
  auto end = MakeRef<PipeEnd>(pipe, reads, writes);
  if (acc != O_RDWR && !nonblocking) {
    // The end counts as open while it waits, so the peer's open completes.
    if (int err = pipe->WaitForPeer(reads)) return std::unexpected(err);
  }
  return Ref<vfs::FileDescription>(end);
}

}  // namespace cocoon::kernel::fs
