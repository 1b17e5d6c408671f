// Host-fd backed files.
#include "kernel/fs/host_fd.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

// How often a blocked read looks for an interrupt. A pollable eventfd per
// waiter would avoid the tick; stdio reads are rare enough for now.
constexpr int kInterruptCheckMs = 50;

class HostFdFile : public vfs::FileDescription {
 public:
  explicit HostFdFile(UniqueFd fd) : fd_(std::move(fd)) {
    struct stat st {};
    seekable_ = fstat(fd_.get(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
  }

  ErrOr<int64_t> BytesReadable() override {
    int n = 0;
    if (ioctl(fd_.get(), FIONREAD, &n) < 0) return Fail(errno);
    return n;
  }

  uint32_t Readiness(uint32_t mask) override {
    pollfd p{fd_.get(), static_cast<short>(mask), 0};
    if (poll(&p, 1, 0) < 0) return 0;
    return static_cast<uint32_t>(p.revents) & mask;
  }

  int64_t Fsync() override { return fsync(fd_.get()) < 0 ? -errno : 0; }
  int HostFd() const override { return fd_.get(); }

 protected:
  // The host file's own offset is used (it is shared with the host side,
  // e.g. a log file the runtime appends to); regular files never block.
  int64_t DoRead(std::span<char> buf) override {
    auto io = [&] { return ::read(fd_.get(), buf.data(), buf.size()); };
    return seekable_ ? Direct(io) : Blocking(POLLIN, io);
  }
  int64_t DoWrite(std::span<const char> buf) override {
    auto io = [&] { return ::write(fd_.get(), buf.data(), buf.size()); };
    return seekable_ ? Direct(io) : Blocking(POLLOUT, io);
  }
  int64_t DoSeek(int64_t offset, int whence) override {
    off_t r = ::lseek(fd_.get(), offset, whence);
    return r < 0 ? -errno : r;
  }
  int64_t DoPRead(std::span<char> buf, int64_t offset) override {
    ssize_t n = ::pread(fd_.get(), buf.data(), buf.size(), offset);
    return n < 0 ? -errno : n;
  }
  int64_t DoPWrite(std::span<const char> buf, int64_t offset) override {
    ssize_t n = ::pwrite(fd_.get(), buf.data(), buf.size(), offset);
    return n < 0 ? -errno : n;
  }
  ErrOr<vfs::Stat> DoGetStat() override {
    // Opened through a node of the sandbox (/dev/console): that node is what
    // the guest sees, so fstat and stat of its path agree (ttyname needs it).
    if (location()) return location().inode().GetStat();
    struct stat st {};
    if (fstat(fd_.get(), &st) < 0) return Fail(errno);
    vfs::Stat s;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.mode = st.st_mode;
    s.nlink = static_cast<uint32_t>(st.st_nlink);
    s.uid = st.st_uid;
    s.gid = st.st_gid;
    s.rdev = st.st_rdev;
    s.size = st.st_size;
    s.blksize = st.st_blksize;
    s.blocks = st.st_blocks;
    s.atime = st.st_atim;
    s.mtime = st.st_mtim;
    s.ctime = st.st_ctim;
    return s;
  }
  // Only the size (`echo > /dev/stdout` truncates a redirected stdout, as
  // on Linux); the host file's owner and times are not the guest's to change.
  ErrOr<void> DoSetStat(const vfs::SetStatRequest& request) override {
    if (request.mode || request.uid || request.gid || request.atime || request.mtime) return Fail(EPERM);
    if (request.size && ftruncate(fd_.get(), *request.size) != 0) return Fail(errno);
    return {};
  }
  bool seekable() const override { return seekable_; }

 private:
  // Does `io` once the host fd is ready, so the kernel lock is not held and
  // interrupts are seen while waiting: short polls, checking the thread's
  // Waiter in between. (The host fd's own flags are left alone: it is shared
  // with whoever started the sandbox.)
  template <typename F>
  static int64_t Direct(F io) {
    for (;;) {
      ssize_t n = io();
      if (n >= 0) return n;
      if (errno != EINTR) return -errno;
    }
  }

  template <typename F>
  int64_t Blocking(short events, F io) {
    pollfd p{fd_.get(), events, 0};
    int ready = poll(&p, 1, 0);
    if (ready == 0) {
      if (nonblocking()) return -EAGAIN;
      vfs::SleepScope sleeping;
      while ((ready = poll(&p, 1, kInterruptCheckMs)) == 0) {
        if (vfs::Waiter::ForThisThread().interrupted()) return -EINTR;
      }
    }
    if (ready < 0 && errno != EINTR) return -errno;
    for (;;) {
      ssize_t n = io();
      if (n >= 0) return n;
      if (errno != EINTR) return -errno;
    }
  }

  UniqueFd fd_;
  bool seekable_ = false;
};

}  // namespace

Ref<vfs::FileDescription> NewHostFdFile(UniqueFd fd, int flags) {
  Ref<vfs::FileDescription> file = MakeRef<HostFdFile>(std::move(fd));
  file->Init({}, flags);
  return file;
}

int HostFdOf(vfs::FileDescription& file) {
  return file.HostFd();
}

}  // namespace cocoon::kernel::fs
