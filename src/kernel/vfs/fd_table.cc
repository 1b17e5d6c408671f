// File descriptor allocation, dup and fcntl as Linux does them.
#include "kernel/vfs/fd_table.h"

#include <fcntl.h>

namespace cocoon::kernel::vfs {

int FdTable::InstallLocked(Ref<FileDescription> file, bool cloexec, int min_fd) {
  if (min_fd < 0) return -EINVAL;
  for (int fd = min_fd; fd < max_fds_; ++fd) {
    if (fd >= static_cast<int>(entries_.size())) entries_.resize(fd + 1);
    if (!entries_[fd].file) {
      entries_[fd] = {std::move(file), cloexec};
      return fd;
    }
  }
  return min_fd >= max_fds_ ? -EINVAL : -EMFILE;
}

int FdTable::Install(Ref<FileDescription> file, bool cloexec, int min_fd) {
  std::lock_guard lock(mu_);
  int fd = InstallLocked(std::move(file), cloexec, min_fd);
  return fd == -EINVAL ? -EMFILE : fd;
}

Ref<FileDescription> FdTable::Get(int fd, bool* cloexec) const {
  std::lock_guard lock(mu_);
  if (fd < 0 || fd >= static_cast<int>(entries_.size())) return nullptr;
  if (cloexec) *cloexec = entries_[fd].cloexec;
  return entries_[fd].file;
}

Ref<FileDescription> FdTable::ReplaceLocked(int fd, Ref<FileDescription> file, bool cloexec) {
  if (fd >= static_cast<int>(entries_.size())) entries_.resize(fd + 1);
  Ref<FileDescription> old = std::move(entries_[fd].file);
  entries_[fd] = {std::move(file), cloexec};
  return old;
}

int FdTable::Close(int fd) {
  Ref<FileDescription> old;
  {
    std::lock_guard lock(mu_);
    if (fd < 0 || fd >= static_cast<int>(entries_.size()) || !entries_[fd].file) return -EBADF;
    old = ReplaceLocked(fd, nullptr, false);
  }
  return 0;  // `old` is released here, outside the lock
}

int FdTable::Dup(int fd) { return static_cast<int>(Fcntl(fd, F_DUPFD, 0)); }

int FdTable::Dup2(int old_fd, int new_fd) {
  if (old_fd == new_fd) return Get(old_fd) ? new_fd : -EBADF;
  return Dup3(old_fd, new_fd, 0);
}

int FdTable::Dup3(int old_fd, int new_fd, int flags) {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (old_fd == new_fd) return -EINVAL;
  Ref<FileDescription> old;
  {
    std::lock_guard lock(mu_);
    if (old_fd < 0 || old_fd >= static_cast<int>(entries_.size()) || !entries_[old_fd].file) return -EBADF;
    if (new_fd < 0 || new_fd >= max_fds_) return -EBADF;
    old = ReplaceLocked(new_fd, entries_[old_fd].file, flags & O_CLOEXEC);
  }
  return new_fd;
}

int64_t FdTable::Fcntl(int fd, int cmd, uint64_t arg) {
  Ref<FileDescription> file;
  {
    std::lock_guard lock(mu_);
    if (fd < 0 || fd >= static_cast<int>(entries_.size()) || !entries_[fd].file) return -EBADF;
    Entry& e = entries_[fd];
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        if (arg >= static_cast<uint64_t>(max_fds_)) return -EINVAL;
        return InstallLocked(e.file, cmd == F_DUPFD_CLOEXEC, static_cast<int>(arg));
      }
      case F_GETFD:
        return e.cloexec ? FD_CLOEXEC : 0;
      case F_SETFD:
        e.cloexec = arg & FD_CLOEXEC;
        return 0;
      default:
        file = e.file;
    }
  }
  switch (cmd) {
    case F_GETFL:
      return file->flags();
    case F_SETFL:
      // O_APPEND, O_NONBLOCK...; access mode and creation flags are ignored.
      file->SetStatusFlags(static_cast<int>(arg));
      return 0;
    default:
      return -EINVAL;
  }
}

Ref<FdTable> FdTable::Clone() const {
  std::lock_guard lock(mu_);
  auto copy = MakeRef<FdTable>(max_fds_);
  copy->entries_ = entries_;
  return copy;
}

void FdTable::CloseOnExec() {
  std::vector<Ref<FileDescription>> closed;
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    if (e.file && e.cloexec) closed.push_back(std::move(e.file));
  }
  // `closed` is destroyed after the lock is released (declared first).
}

void FdTable::CloseAll() {
  std::vector<Entry> closed;
  std::lock_guard lock(mu_);
  closed.swap(entries_);
}

std::vector<int> FdTable::Fds() const {
  std::lock_guard lock(mu_);
  std::vector<int> out;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].file) out.push_back(static_cast<int>(i));
  }
  return out;
}

int FdTable::max_fds() const {
  std::lock_guard lock(mu_);
  return max_fds_;
}

void FdTable::set_max_fds(int max_fds) {
  std::lock_guard lock(mu_);
  max_fds_ = max_fds;
}

}  // namespace cocoon::kernel::vfs
