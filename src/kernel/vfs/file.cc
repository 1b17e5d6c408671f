// FileDescription defaults, O_PATH files and directory listings.
#include "kernel/vfs/file.h"

#include <dirent.h>
#include <linux/fs.h>

#include <climits>
#include <cstring>

namespace cocoon::kernel::vfs {

void FileDescription::Init(VirtualDentry location, int flags) {
  location_ = std::move(location);
  std::lock_guard lock(flags_mu_);
  flags_ = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
}

int FileDescription::flags() const {
  std::lock_guard lock(flags_mu_);
  return flags_;
}

void FileDescription::SetStatusFlags(int flags) {
  std::lock_guard lock(flags_mu_);
  flags_ = (flags_ & ~kSettableStatusFlags) | (flags & kSettableStatusFlags);
}

bool FileDescription::readable() const {
  int f = flags();
  if (f & O_PATH) return false;
  int acc = f & O_ACCMODE;
  return acc == O_RDONLY || acc == O_RDWR;
}

bool FileDescription::writable() const {
  int f = flags();
  if (f & O_PATH) return false;
  int acc = f & O_ACCMODE;
  return acc == O_WRONLY || acc == O_RDWR;
}

int64_t FileDescription::offset() const {
  std::lock_guard lock(offset_mu_);
  return offset_;
}

int64_t FileDescription::Read(std::span<char> buf) {
  if (!readable()) return -EBADF;
  return DoRead(buf);
}

int64_t FileDescription::Write(std::span<const char> buf) {
  if (!writable()) return -EBADF;
  return DoWrite(buf);
}

int64_t FileDescription::PRead(std::span<char> buf, int64_t offset) {
  if (!readable()) return -EBADF;
  if (!seekable()) return -ESPIPE;
  if (offset < 0) return -EINVAL;
  return DoPRead(buf, offset);
}

int64_t FileDescription::PWrite(std::span<const char> buf, int64_t offset) {
  if (!writable()) return -EBADF;
  if (!seekable()) return -ESPIPE;
  if (offset < 0) return -EINVAL;
  return DoPWrite(buf, offset);
}

int64_t FileDescription::Seek(int64_t offset, int whence) {
  if (flags() & O_PATH) return -EBADF;
  if (!seekable()) return -ESPIPE;
  return DoSeek(offset, whence);
}

int64_t FileDescription::GetDents64(std::span<char> buf) {
  if (flags() & O_PATH) return -EBADF;
  return DoGetDents64(buf);
}

ErrOr<Stat> FileDescription::GetStat() { return DoGetStat(); }

ErrOr<void> FileDescription::SetStat(const SetStatRequest& request) {
  if (flags() & O_PATH) return Fail(EBADF);
  // ftruncate needs the file open for writing (EINVAL, not EBADF, as Linux).
  if (request.size && !writable()) return Fail(EINVAL);
  return DoSetStat(request);
}

int64_t FileDescription::Ioctl(uint32_t, uint64_t) { return -ENOTTY; }

ErrOr<int64_t> FileDescription::BytesReadable() {
  if (!location_ || !location_.inode().IsRegular()) return Fail(ENOTTY);
  Stat st = TRY(DoGetStat());
  return std::max<int64_t>(0, st.size - offset());
}

uint32_t FileDescription::Readiness(uint32_t mask) {
  return mask & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

int64_t FileDescription::DoRead(std::span<char> buf) {
  std::lock_guard lock(offset_mu_);
  int64_t n = DoPRead(buf, offset_);
  if (n > 0) offset_ += n;
  return n;
}

int64_t FileDescription::DoWrite(std::span<const char> buf) {
  std::lock_guard lock(offset_mu_);
  if (flags() & O_APPEND) {
    auto st = DoGetStat();
    if (!st) return st.error();
    offset_ = st->size;
  }
  int64_t n = DoPWrite(buf, offset_);
  if (n > 0) offset_ += n;
  return n;
}

int64_t FileDescription::DoPRead(std::span<char>, int64_t) { return -EINVAL; }
int64_t FileDescription::DoPWrite(std::span<const char>, int64_t) { return -EINVAL; }

int64_t FileDescription::DoSeek(int64_t offset, int whence) {
  std::lock_guard lock(offset_mu_);
  int64_t base = 0;
  switch (whence) {
    case SEEK_SET:
      break;
    case SEEK_CUR:
      base = offset_;
      break;
    case SEEK_END:
    case SEEK_DATA:
    case SEEK_HOLE: {
      auto st = DoGetStat();
      if (!st) return st.error();
      if (whence == SEEK_END) {
        base = st->size;
        break;
      }
      // No sparse files: all data, one hole at the end.
      if (offset < 0 || offset >= st->size) return -ENXIO;
      offset_ = whence == SEEK_DATA ? offset : st->size;
      return offset_;
    }
    default:
      return -EINVAL;
  }
  if ((offset > 0 && base > INT64_MAX - offset)) return -EOVERFLOW;
  int64_t result = base + offset;
  if (result < 0) return -EINVAL;
  offset_ = result;
  return result;
}

int64_t FileDescription::DoGetDents64(std::span<char>) { return -ENOTDIR; }

ErrOr<Stat> FileDescription::DoGetStat() {
  if (!location_) return Fail(EBADF);
  return location_.inode().GetStat();
}

ErrOr<void> FileDescription::DoSetStat(const SetStatRequest& request) {
  if (!location_) return Fail(EBADF);
  if (location_.mount->read_only()) return Fail(EROFS);
  return location_.inode().SetStat(request);
}

bool AppendDirent64(std::span<char> buf, size_t* used, const DirEntry& entry, int64_t next_offset) {
  // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
  constexpr size_t kHeader = 8 + 8 + 2 + 1;
  size_t reclen = (kHeader + entry.name.size() + 1 + 7) & ~size_t{7};
  if (*used + reclen > buf.size()) return false;
  char* p = buf.data() + *used;
  std::memset(p, 0, reclen);
  uint64_t ino = entry.ino;
  int64_t off = next_offset;
  uint16_t len = static_cast<uint16_t>(reclen);
  std::memcpy(p, &ino, 8);
  std::memcpy(p + 8, &off, 8);
  std::memcpy(p + 16, &len, 2);
  p[18] = static_cast<char>(entry.type);
  std::memcpy(p + kHeader, entry.name.data(), entry.name.size());
  *used += reclen;
  return true;
}

ErrOr<void> DirectoryFile::Snapshot() {
  const VirtualDentry& loc = location();
  std::vector<DirEntry> entries = TRY(loc.inode().ReadDir());
  uint64_t parent_ino = loc.inode().ino();
  {
    std::lock_guard lock(loc.inode().fs().tree_mutex());
    if (loc.dentry->parent()) parent_ino = loc.dentry->parent()->inode().ino();
  }
  entries_.clear();
  entries_.push_back({".", loc.inode().ino(), DT_DIR});
  entries_.push_back({"..", parent_ino, DT_DIR});
  for (auto& e : entries) entries_.push_back(std::move(e));
  have_snapshot_ = true;
  return {};
}

int64_t DirectoryFile::DoGetDents64(std::span<char> buf) {
  std::lock_guard lock(offset_mu_);
  if (!have_snapshot_ || offset_ == 0) {
    auto ok = Snapshot();
    if (!ok) return ok.error();
  }
  size_t used = 0;
  while (offset_ < static_cast<int64_t>(entries_.size())) {
    if (!AppendDirent64(buf, &used, entries_[offset_], offset_ + 1)) {
      if (used == 0) return -EINVAL;  // buffer too small for one entry
      break;
    }
    ++offset_;
  }
  return static_cast<int64_t>(used);
}

int64_t DirectoryFile::DoSeek(int64_t offset, int whence) {
  std::lock_guard lock(offset_mu_);
  int64_t result;
  if (whence == SEEK_SET) {
    result = offset;
  } else if (whence == SEEK_CUR) {
    result = offset_ + offset;
  } else {
    return -EINVAL;
  }
  if (result < 0) return -EINVAL;
  offset_ = result;
  if (result == 0) have_snapshot_ = false;  // rewinddir sees new entries
  return result;
}

}  // namespace cocoon::kernel::vfs
