// FileDescription: an open file (what an fd points to), shared by dup and
// fork, with its offset and status flags. File systems subclass it.
#pragma once

#include <fcntl.h>
#include <poll.h>

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

#include "kernel/vfs/errno_or.h"
#include "kernel/vfs/mount.h"
#include "kernel/vfs/ref.h"
#include "kernel/vfs/types.h"
#include "kernel/vfs/wait_queue.h"

namespace cocoon::kernel::vfs {

// Status flags F_SETFL may change (as Linux's SETFL_MASK, without O_DIRECT
// which no file system here supports).
inline constexpr int kSettableStatusFlags = O_APPEND | O_NONBLOCK | O_ASYNC | O_NOATIME;

class FileDescription : public RefCounted {
 public:
  // Set once by whoever opens the file (the vfs for paths; pipes have none).
  void Init(VirtualDentry location, int flags);

  const VirtualDentry& location() const { return location_; }
  // Access mode and status flags (O_RDONLY/O_WRONLY/O_RDWR | O_APPEND...).
  int flags() const;
  void SetStatusFlags(int flags);  // only kSettableStatusFlags change
  bool readable() const;
  bool writable() const;
  bool nonblocking() const { return flags() & O_NONBLOCK; }

  // The operations, with Linux's checks for the access mode done here; each
  // returns a byte count or a negative errno.
  int64_t Read(std::span<char> buf);
  int64_t Write(std::span<const char> buf);
  int64_t PRead(std::span<char> buf, int64_t offset);
  int64_t PWrite(std::span<const char> buf, int64_t offset);
  int64_t Seek(int64_t offset, int whence);
  // Fills `buf` with linux_dirent64 records; 0 at the end.
  int64_t GetDents64(std::span<char> buf);
  ErrOr<Stat> GetStat();
  ErrOr<void> SetStat(const SetStatRequest& request);  // fchmod, fchown, ftruncate, futimens

  // Hooks with defaults for files that have nothing special to do.
  virtual int64_t Ioctl(uint32_t request, uint64_t arg);  // ENOTTY
  virtual ErrOr<int64_t> BytesReadable();                 // FIONREAD; ENOTTY
  virtual int64_t Fsync() { return 0; }
  // Ready events among `mask` (POLLIN, POLLOUT...) right now.
  virtual uint32_t Readiness(uint32_t mask);
  // Where pollers wait for readiness changes; null when always ready.
  virtual WaitQueue* wait_queue() { return nullptr; }
  // The host fd behind the file (the sandbox's stdio or console), for passing
  // tty ioctls to the real terminal; -1 for the sandbox's own files.
  virtual int HostFd() const { return -1; }

  // The offset, for /proc/<pid>/fdinfo and tests.
  int64_t offset() const;

 protected:
  // Subclass operations; the defaults give the errno Linux gives for a file
  // that does not support them.
  virtual int64_t DoRead(std::span<char> buf);            // via DoPRead at the offset
  virtual int64_t DoWrite(std::span<const char> buf);     // via DoPWrite, honours O_APPEND
  virtual int64_t DoPRead(std::span<char> buf, int64_t offset);         // EINVAL
  virtual int64_t DoPWrite(std::span<const char> buf, int64_t offset);  // EINVAL
  virtual int64_t DoSeek(int64_t offset, int whence);     // regular-file semantics
  virtual int64_t DoGetDents64(std::span<char> buf);      // ENOTDIR
  virtual ErrOr<Stat> DoGetStat();                        // the inode's
  virtual ErrOr<void> DoSetStat(const SetStatRequest& request);  // the inode's
  // False for pipes, sockets and ttys: pread/pwrite/lseek give ESPIPE.
  virtual bool seekable() const { return true; }

  mutable std::mutex offset_mu_;  // held across a read/write so offsets advance atomically
  int64_t offset_ = 0;

 private:
  mutable std::mutex flags_mu_;
  int flags_ = 0;
  VirtualDentry location_;
};

// A file opened with O_PATH: a location for *at() calls and fstat, nothing else.
class PathFile : public FileDescription {
 protected:
  int64_t DoRead(std::span<char>) override { return -EBADF; }
  int64_t DoWrite(std::span<const char>) override { return -EBADF; }
};

// A directory opened for reading: getdents64 over a snapshot of its entries,
// taken at the first call and after lseek to 0 (rewinddir).
class DirectoryFile : public FileDescription {
 protected:
  int64_t DoRead(std::span<char>) override { return -EISDIR; }
  int64_t DoWrite(std::span<const char>) override { return -EISDIR; }
  int64_t DoPRead(std::span<char>, int64_t) override { return -EISDIR; }
  int64_t DoPWrite(std::span<const char>, int64_t) override { return -EISDIR; }
  int64_t DoSeek(int64_t offset, int whence) override;
  int64_t DoGetDents64(std::span<char> buf) override;

 private:
  ErrOr<void> Snapshot();
  std::vector<DirEntry> entries_;  // with "." and ".."; guarded by offset_mu_
  bool have_snapshot_ = false;
};

// Appends one linux_dirent64 to `buf` at `*used`; false when it does not fit.
bool AppendDirent64(std::span<char> buf, size_t* used, const DirEntry& entry, int64_t next_offset);

}  // namespace cocoon::kernel::vfs
