// Path-based file operations (the bodies of open, mkdir, unlink, rename,
// stat, ...), with Linux's checks and errnos. Syscall handlers copy paths and
// buffers in and out of guest memory and call these.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "kernel/vfs/fd_table.h"
#include "kernel/vfs/file.h"
#include "kernel/vfs/path.h"

namespace cocoon::kernel::vfs {

// A task's root, working directory and umask; shared by CLONE_FS threads.
class FsContext : public RefCounted {
 public:
  FsContext(VirtualDentry root, VirtualDentry cwd, uint32_t umask = 022);

  VirtualDentry root() const;
  VirtualDentry cwd() const;
  uint32_t umask() const;
  uint32_t SetUmask(uint32_t umask);  // returns the old one
  void SetRoot(VirtualDentry root);
  void SetCwd(VirtualDentry cwd);
  Ref<FsContext> Clone() const;

 private:
  mutable std::mutex mu_;
  VirtualDentry root_;
  VirtualDentry cwd_;
  uint32_t umask_;
};

// The context for a *at() call: relative paths start at `dirfd` (AT_FDCWD:
// the cwd); an absolute path ignores it. EBADF / ENOTDIR for a bad dirfd.
ErrOr<PathContext> ContextAt(const FsContext& fs, const FdTable& fds, int dirfd, std::string_view path,
                             const Creds& creds);

// open(2): O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_PATH.
ErrOr<Ref<FileDescription>> Open(const PathContext& ctx, std::string_view path, int flags, uint32_t mode,
                                 uint32_t umask);
// Opens an already resolved location (also used by /proc/<pid>/fd reopen).
ErrOr<Ref<FileDescription>> OpenLocation(const PathContext& ctx, const VirtualDentry& target, int flags,
                                         bool just_created = false);

ErrOr<void> MakeDirectory(const PathContext& ctx, std::string_view path, uint32_t mode, uint32_t umask);
// mknod(2): regular files, devices, fifos, sockets.
ErrOr<void> MakeNode(const PathContext& ctx, std::string_view path, uint32_t mode, uint64_t dev,
                     uint32_t umask);
ErrOr<void> MakeSymlink(const PathContext& ctx, std::string_view target, std::string_view path);
// link(2)/linkat(2); `follow` is AT_SYMLINK_FOLLOW.
ErrOr<void> MakeLink(const PathContext& old_ctx, std::string_view old_path, const PathContext& new_ctx,
                     std::string_view new_path, bool follow);
ErrOr<void> Unlink(const PathContext& ctx, std::string_view path);
ErrOr<void> RemoveDirectory(const PathContext& ctx, std::string_view path);
// rename(2)/renameat2(2) with RENAME_NOREPLACE and RENAME_EXCHANGE.
ErrOr<void> Rename(const PathContext& old_ctx, std::string_view old_path, const PathContext& new_ctx,
                   std::string_view new_path, uint32_t flags);
ErrOr<std::string> ReadLink(const PathContext& ctx, std::string_view path);
ErrOr<Stat> StatPath(const PathContext& ctx, std::string_view path, bool follow);
// chmod/chown/truncate/utimensat on a path, with permission checks.
ErrOr<void> SetStatPath(const PathContext& ctx, std::string_view path, bool follow,
                        const SetStatRequest& request);
// Whether `creds` may make `request` on `inode` (EPERM/EACCES/EISDIR...);
// fchmod and friends call this before FileDescription::SetStat.
ErrOr<void> CheckSetStat(const Inode& inode, const Creds& creds, const SetStatRequest& request);
// access(2)/faccessat(2): `mode` is F_OK or R_OK|W_OK|X_OK.
ErrOr<void> CheckAccess(const PathContext& ctx, std::string_view path, int mode, bool follow);
// chdir(2) and chroot(2).
ErrOr<void> ChangeDirectory(FsContext& fs, const PathContext& ctx, std::string_view path);
ErrOr<void> ChangeRoot(FsContext& fs, const PathContext& ctx, std::string_view path);

}  // namespace cocoon::kernel::vfs
