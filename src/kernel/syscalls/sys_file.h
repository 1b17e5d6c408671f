// The file side of the syscall layer: the vfs-backed TaskFiles (fd table,
// root/cwd/umask, mount namespace), how a sandbox's file tree is built, and
// the file, pipe and poll syscall handlers the table registers.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "base/error.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/fs/proc.h"
#include "kernel/task/task_files.h"
#include "kernel/vfs/fd_table.h"
#include "kernel/vfs/vfs.h"

namespace cocoon::kernel {

// A task's files as the vfs keeps them.
class VfsTaskFiles : public TaskFiles, public std::enable_shared_from_this<VfsTaskFiles> {
 public:
  VfsTaskFiles(vfs::Ref<vfs::MountNamespace> mounts, vfs::Ref<vfs::FdTable> fds, vfs::Ref<vfs::FsContext> fs)
      : mounts_(std::move(mounts)), fds_(std::move(fds)), fs_(std::move(fs)) {}

  std::shared_ptr<TaskFiles> Fork(bool share) override;
  void OnExec() override { fds_->CloseOnExec(); }
  int64_t ReadExecutable(const std::string& path, std::string* contents) override;
  // TaskFiles::ReadForMmap (file mappings copy the file's bytes for now).
  // Not marked override so this builds with and without that hook.
  int64_t ReadForMmap(int fd, uint64_t offset, uint64_t len, std::string* out);

  vfs::MountNamespace& mounts() { return *mounts_; }
  vfs::FdTable& fds() { return *fds_; }
  vfs::FsContext& fs() { return *fs_; }
  // The sandbox runs everything as root for now (no credentials model yet).
  vfs::Creds creds() const { return {}; }
  // Where a *at() call with `dirfd` and `path` starts.
  vfs::ErrOr<vfs::PathContext> At(int dirfd, std::string_view path) {
    return vfs::ContextAt(*fs_, *fds_, dirfd, path, creds());
  }

 private:
  vfs::Ref<vfs::MountNamespace> mounts_;
  vfs::Ref<vfs::FdTable> fds_;
  vfs::Ref<vfs::FsContext> fs_;
};

// The guest's file tree for a sandbox: `host_root` read-only under a tmpfs
// overlay (writes never reach the host), /dev with the memory devices, and
// fds 0-2 on the host fds `stdio` (duplicated; the caller keeps its own).
Result<std::shared_ptr<VfsTaskFiles>> MakeSandboxFiles(const std::string& host_root, std::array<int, 3> stdio,
                                                       const std::string& cwd = "/");
// The same tree over any `lower` root file system (hostdir, the gofer's).
Result<vfs::Ref<vfs::MountNamespace>> MakeSandboxMounts(vfs::Ref<vfs::FileSystem> lower);
// Mounts `fs` at `path` (made when missing) in `mounts`.
Result<> MountInSandbox(vfs::MountNamespace& mounts, const std::string& path, vfs::Ref<vfs::FileSystem> fs,
                        uint64_t flags);
// Files for one process in `mounts`: fds 0-2 on `stdio` (duplicated), cwd `cwd`.
Result<std::shared_ptr<VfsTaskFiles>> MakeProcessFiles(vfs::Ref<vfs::MountNamespace> mounts, std::array<int, 3> stdio,
                                                       const std::string& cwd);

// The kernel's view of its processes for procfs (sys_file_proc.cc).
std::shared_ptr<fs::ProcSource> NewKernelProcSource();

// The task's vfs files, or null while the kernel still runs on HostStdioFiles.
VfsTaskFiles* VfsFiles(Task& task);

#define COCOON_FILE_HANDLER(name) int64_t name(Task& task, const SyscallArgs& args)
// sys_file.cc: fds and I/O.
COCOON_FILE_HANDLER(SysRead);
COCOON_FILE_HANDLER(SysWrite);
COCOON_FILE_HANDLER(SysReadv);
COCOON_FILE_HANDLER(SysWritev);
COCOON_FILE_HANDLER(SysPread64);
COCOON_FILE_HANDLER(SysPwrite64);
COCOON_FILE_HANDLER(SysLseek);
COCOON_FILE_HANDLER(SysOpen);
COCOON_FILE_HANDLER(SysOpenat);
COCOON_FILE_HANDLER(SysCreat);
COCOON_FILE_HANDLER(SysClose);
COCOON_FILE_HANDLER(SysDup);
COCOON_FILE_HANDLER(SysDup2);
COCOON_FILE_HANDLER(SysDup3);
COCOON_FILE_HANDLER(SysFcntl);
COCOON_FILE_HANDLER(SysIoctl);
COCOON_FILE_HANDLER(SysGetdents64);
COCOON_FILE_HANDLER(SysFstat);
COCOON_FILE_HANDLER(SysStat);
COCOON_FILE_HANDLER(SysLstat);
COCOON_FILE_HANDLER(SysNewfstatat);
COCOON_FILE_HANDLER(SysStatx);
COCOON_FILE_HANDLER(SysFtruncate);
COCOON_FILE_HANDLER(SysTruncate);
COCOON_FILE_HANDLER(SysFsync);  // fsync, fdatasync
COCOON_FILE_HANDLER(SysUmask);
// sys_file_path.cc: names.
COCOON_FILE_HANDLER(SysMkdir);
COCOON_FILE_HANDLER(SysMkdirat);
COCOON_FILE_HANDLER(SysMknod);
COCOON_FILE_HANDLER(SysMknodat);
COCOON_FILE_HANDLER(SysUnlink);
COCOON_FILE_HANDLER(SysUnlinkat);
COCOON_FILE_HANDLER(SysRmdir);
COCOON_FILE_HANDLER(SysRename);
COCOON_FILE_HANDLER(SysRenameat);
COCOON_FILE_HANDLER(SysRenameat2);
COCOON_FILE_HANDLER(SysSymlink);
COCOON_FILE_HANDLER(SysSymlinkat);
COCOON_FILE_HANDLER(SysReadlink);
COCOON_FILE_HANDLER(SysReadlinkat);
// sys_file_attr.cc: extended attributes and statfs.
COCOON_FILE_HANDLER(SysGetxattr);
COCOON_FILE_HANDLER(SysLgetxattr);
COCOON_FILE_HANDLER(SysFgetxattr);
COCOON_FILE_HANDLER(SysSetxattr);
COCOON_FILE_HANDLER(SysLsetxattr);
COCOON_FILE_HANDLER(SysFsetxattr);
COCOON_FILE_HANDLER(SysListxattr);
COCOON_FILE_HANDLER(SysLlistxattr);
COCOON_FILE_HANDLER(SysFlistxattr);
COCOON_FILE_HANDLER(SysRemovexattr);
COCOON_FILE_HANDLER(SysLremovexattr);
COCOON_FILE_HANDLER(SysFremovexattr);
COCOON_FILE_HANDLER(SysStatfs);
COCOON_FILE_HANDLER(SysFstatfs);
COCOON_FILE_HANDLER(SysLink);
COCOON_FILE_HANDLER(SysLinkat);
COCOON_FILE_HANDLER(SysChdir);
COCOON_FILE_HANDLER(SysFchdir);
COCOON_FILE_HANDLER(SysChroot);
COCOON_FILE_HANDLER(SysGetcwd);
COCOON_FILE_HANDLER(SysChmod);
COCOON_FILE_HANDLER(SysFchmod);
COCOON_FILE_HANDLER(SysFchmodat);
COCOON_FILE_HANDLER(SysChown);
COCOON_FILE_HANDLER(SysLchown);
COCOON_FILE_HANDLER(SysFchown);
COCOON_FILE_HANDLER(SysFchownat);
COCOON_FILE_HANDLER(SysUtimensat);
COCOON_FILE_HANDLER(SysAccess);
COCOON_FILE_HANDLER(SysFaccessat);
COCOON_FILE_HANDLER(SysFaccessat2);
// sys_pipe.cc
COCOON_FILE_HANDLER(SysPipe);
COCOON_FILE_HANDLER(SysPipe2);
// sys_poll.cc
COCOON_FILE_HANDLER(SysPoll);
COCOON_FILE_HANDLER(SysPpoll);
COCOON_FILE_HANDLER(SysSelect);
COCOON_FILE_HANDLER(SysPselect6);
#undef COCOON_FILE_HANDLER

}  // namespace cocoon::kernel
