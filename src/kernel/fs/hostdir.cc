// Read-only host directory file system.
#include "kernel/fs/hostdir.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "base/log.h"
#include "kernel/vfs/device.h"
#include "kernel/vfs/file.h"

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

// openat2 confined beneath `dirfd`, never following a symlink.
int OpenBeneath(int dirfd, const char* name, uint64_t flags) {
  open_how how{};
  how.flags = flags | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dirfd, name, &how, sizeof(how)));
}

vfs::Stat FromHostStat(const struct stat& st, uint64_t dev) {
  vfs::Stat s;
  s.dev = dev;
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

// An open host file: positional reads on the inode's fd (shared; pread does
// not move its offset).
class HostFile : public vfs::FileDescription {
 public:
  explicit HostFile(Ref<HostInode> inode) : inode_(std::move(inode)) {}

 protected:
  int64_t DoPRead(std::span<char> buf, int64_t offset) override {
    ssize_t n = pread(inode_->host_fd(), buf.data(), buf.size(), offset);
    return n < 0 ? -errno : n;
  }
  int64_t DoPWrite(std::span<const char>, int64_t) override { return -EROFS; }

 private:
  Ref<HostInode> inode_;
};

}  // namespace

Result<Ref<HostDir>> HostDir::Create(const std::string& host_path) {
  UniqueFd fd(open(host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError("opening host directory " + host_path));
  struct stat st {};
  if (fstat(fd.get(), &st) < 0) return std::unexpected(ErrnoError("stat " + host_path));
  Ref<HostDir> fs(new HostDir());
  fs->SetRoot(MakeRef<HostInode>(*fs, std::move(fd), st, ""));
  return fs;
}

HostInode::HostInode(vfs::FileSystem& fs, UniqueFd fd, const struct stat& st, std::string link_target)
    : vfs::Inode(fs, st.st_ino, st.st_mode, st.st_uid, st.st_gid, st.st_rdev),
      fd_(std::move(fd)),
      link_target_(std::move(link_target)) {}

ErrOr<vfs::Stat> HostInode::GetStat() {
  struct stat st {};
  if (fstatat(fd_.get(), "", &st, AT_EMPTY_PATH) < 0) return Fail(errno);
  return FromHostStat(st, fs().dev());
}

ErrOr<Ref<vfs::Inode>> HostInode::Lookup(std::string_view name) {
  if (!IsDir()) return Fail(ENOTDIR);
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos) {
    return Fail(ENOENT);  // the vfs never asks; refuse rather than escape
  }
  std::string n(name);
  struct stat st {};
  if (fstatat(fd_.get(), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return Fail(errno);
  // Regular files and directories are opened for reading now (their data is
  // read through this fd); anything else only as a path, so opening a host
  // device or fifo node never happens.
  uint64_t flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY
                   : S_ISREG(st.st_mode) ? O_RDONLY | O_NONBLOCK | O_NOCTTY
                                         : O_PATH;
  UniqueFd fd(OpenBeneath(fd_.get(), n.c_str(), flags));
  if (!fd && errno == EACCES && flags != O_PATH) fd.reset(OpenBeneath(fd_.get(), n.c_str(), O_PATH));
  if (!fd) {
    int err = errno;
    if (err == ELOOP || err == EXDEV) err = ENOENT;  // raced with a swap to a symlink / mount
    return Fail(err);
  }
  struct stat opened {};
  if (fstatat(fd.get(), "", &opened, AT_EMPTY_PATH) < 0) return Fail(errno);
  if ((opened.st_mode & S_IFMT) != (st.st_mode & S_IFMT)) return Fail(ENOENT);  // swapped under us
  std::string target;
  if (S_ISLNK(opened.st_mode)) {
    std::vector<char> buf(4096);
    ssize_t len = readlinkat(fd_.get(), n.c_str(), buf.data(), buf.size());
    if (len < 0) return Fail(errno);
    target.assign(buf.data(), static_cast<size_t>(len));
  }
  return Ref<vfs::Inode>(MakeRef<HostInode>(fs(), std::move(fd), opened, std::move(target)));
}

ErrOr<std::vector<vfs::DirEntry>> HostInode::ReadDir() {
  if (!IsDir()) return Fail(ENOTDIR);
  // A fresh open file: the inode's fd offset is shared by every reader.
  UniqueFd dir(openat(fd_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return Fail(errno);
  std::vector<vfs::DirEntry> out;
  alignas(8) char buf[8192];
  for (;;) {
    long n = syscall(SYS_getdents64, dir.get(), buf, sizeof(buf));
    if (n < 0) return Fail(errno);
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      std::string_view name(d->d_name);
      if (name != "." && name != "..") out.push_back({std::string(name), d->d_ino, d->d_type});
      off += d->d_reclen;
    }
  }
  return out;
}

ErrOr<std::string> HostInode::ReadLink() {
  if (!IsSymlink()) return Fail(EINVAL);
  return link_target_;
}

ErrOr<Ref<vfs::FileDescription>> HostInode::Open(int flags) {
  int acc = flags & O_ACCMODE;
  if (acc != O_RDONLY || (flags & O_TRUNC)) return Fail(EROFS);
  if (type() == S_IFCHR) return vfs::OpenCharDevice(rdev_, flags);  // the sandbox's devices, not the host's
  if (!IsRegular()) return Fail(ENXIO);
  return Ref<vfs::FileDescription>(MakeRef<HostFile>(Ref<HostInode>(this)));
}

}  // namespace cocoon::kernel::fs
