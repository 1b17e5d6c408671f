// Pipes and fifos with Linux semantics: PIPE_BUF atomic writes, EPIPE when no
// reader is left (the caller raises SIGPIPE), EOF when no writer is left,
// blocking reads and writes that an interrupt ends with EINTR.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <span>
#include <utility>

#include "kernel/vfs/file.h"
#include "kernel/vfs/wait_queue.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::MakeRef;
using vfs::Ref;

inline constexpr size_t kPipeBuf = 4096;           // PIPE_BUF
inline constexpr size_t kPipeCapacity = 65536;     // 16 pages, Linux's default
inline constexpr size_t kPipeMaxCapacity = 1 << 20;  // /proc/sys/fs/pipe-max-size

class Pipe : public vfs::RefCounted {
 public:
  int64_t Read(std::span<char> buf, bool nonblocking);
  int64_t Write(std::span<const char> buf, bool nonblocking);
  uint32_t ReaderReadiness(uint32_t mask);
  uint32_t WriterReadiness(uint32_t mask);
  size_t Available();
  size_t capacity();
  // F_SETPIPE_SZ: rounds up to a page; EBUSY when the data would not fit.
  int64_t SetCapacity(size_t size);

  void AddEnd(bool reader);
  void RemoveEnd(bool reader);
  // Blocks until the other side has been opened (fifo open without O_NONBLOCK).
  int WaitForPeer(bool reader);
  bool has_readers();

  vfs::WaitQueue& queue() { return queue_; }

 private:
  std::mutex mu_;
  std::deque<char> data_;
  size_t capacity_ = kPipeCapacity;
  int readers_ = 0;
  int writers_ = 0;
  uint64_t reader_opens_ = 0;  // ever, so a blocked fifo open sees a peer that came and went
  uint64_t writer_opens_ = 0;
  bool had_writer_ = false;
  vfs::WaitQueue queue_;
};

// One end of a pipe.
class PipeEnd : public vfs::FileDescription {
 public:
  // An end that reads, writes, or both (a fifo opened O_RDWR).
  PipeEnd(Ref<Pipe> pipe, bool reads, bool writes);
  ~PipeEnd() override;

  ErrOr<int64_t> BytesReadable() override;
  uint32_t Readiness(uint32_t mask) override;
  vfs::WaitQueue* wait_queue() override { return &pipe_->queue(); }
  Pipe& pipe() { return *pipe_; }

 protected:
  int64_t DoRead(std::span<char> buf) override;
  int64_t DoWrite(std::span<const char> buf) override;
  ErrOr<vfs::Stat> DoGetStat() override;
  bool seekable() const override { return false; }

 private:
  Ref<Pipe> pipe_;
  bool reads_;
  bool writes_;
  uint64_t ino_;  // for fstat of an anonymous pipe
};

// pipe2(2): {read end, write end}; `flags` may hold O_NONBLOCK (O_CLOEXEC is
// the fd table's business).
std::pair<Ref<vfs::FileDescription>, Ref<vfs::FileDescription>> NewPipe(int flags);

// open(2) of a fifo whose pipe is `pipe`: O_RDONLY waits for a writer,
// O_WRONLY for a reader (ENXIO with O_NONBLOCK), O_RDWR never waits.
ErrOr<Ref<vfs::FileDescription>> OpenFifo(Ref<Pipe> pipe, int flags);

}  // namespace cocoon::kernel::fs
