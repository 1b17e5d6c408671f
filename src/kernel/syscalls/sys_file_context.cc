// VfsTaskFiles, the sandbox's file tree, and how file syscalls block: the
// task thread's vfs Waiter sleeps on a kernel WaitQueue, so the kernel lock is
// released while it waits and a signal for the task wakes it.
#include <fcntl.h>
#include <unistd.h>

#include "kernel/fs/dev.h"
#include "kernel/fs/host_fd.h"
#include "kernel/fs/hostdir.h"
#include "kernel/fs/overlay.h"
#include "kernel/fs/proc.h"
#include "kernel/fs/tmpfs.h"
#include "kernel/sync/kernel_lock.h"
#include "kernel/sync/wait_queue.h"
#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

namespace {

// Mounts `fs` at `path` (created when missing) in a fresh sandbox tree.
Result<> MountAtPath(vfs::MountNamespace& ns, const std::string& path, vfs::Ref<vfs::FileSystem> fs,
                     uint64_t flags) {
  vfs::PathContext ctx{ns.Root(), ns.Root(), {}};
  if (auto made = vfs::MakeDirectory(ctx, path, 0755, 0); !made && made.error() != -EEXIST) {
    return std::unexpected(Errorf("creating {} in the sandbox: errno {}", path, -made.error()));
  }
  auto target = vfs::Resolve(ctx, path, true);
  if (!target) return std::unexpected(Errorf("resolving {} in the sandbox: errno {}", path, -target.error()));
  if (auto mounted = ns.MountAt(*target, std::move(fs), flags); !mounted) {
    return std::unexpected(Errorf("mounting {} in the sandbox: errno {}", path, -mounted.error()));
  }
  return {};
}

// A vfs Waiter for a task thread: sleeps on a kernel WaitQueue (dropping the
// kernel lock), woken by vfs notifications (made under the kernel lock by
// other handlers) and by Task::Wake for signals.
class TaskWaiter : public vfs::Waiter {
 public:
  explicit TaskWaiter(Task& task) : task_(task) {}
  Task& task() const { return task_; }

  // The kernel lock makes "check, then sleep" atomic: nothing to forget.
  void Prepare() override {}
  int Wait(vfs::Deadline deadline) override {
    if (!deadline) return queue_.Wait(task_);
    if (int err = queue_.WaitUntil(task_, *deadline)) return err;
    return std::chrono::steady_clock::now() >= *deadline ? -ETIMEDOUT : 0;
  }
  void Notify() override { queue_.Notify(); }
  void Interrupt() override { task_.Wake(); }
  void ClearInterrupt() override {}
  bool interrupted() const override { return task_.Interrupted(); }

 private:
  Task& task_;
  WaitQueue queue_;
};

void DropKernelLock() { KernelMutex().unlock(); }
void TakeKernelLock() { KernelMutex().lock(); }

// Host fds for the guest's stdio keep their access mode. The console is
// opened as /dev/console, so that it has that name and stat (tty(1) works).
vfs::Ref<vfs::FileDescription> StdioFile(const vfs::PathContext& ctx, int host_fd) {
  int flags = fcntl(host_fd, F_GETFL);
  if (flags < 0) return nullptr;
  flags &= O_ACCMODE | O_APPEND;
  if (fs::IsConsole(host_fd)) {
    if (auto console = vfs::Open(ctx, "/dev/console", flags | O_NOCTTY, 0, 0)) return *console;
  }
  UniqueFd dup(fcntl(host_fd, F_DUPFD_CLOEXEC, 3));
  if (!dup) return nullptr;
  return fs::NewHostFdFile(std::move(dup), flags);
}

}  // namespace

void PrepareToBlock(Task& task) {
  static thread_local std::unique_ptr<TaskWaiter> waiter;
  if (!waiter || &waiter->task() != &task) {
    waiter = std::make_unique<TaskWaiter>(task);
    vfs::Waiter::SetForThisThread(waiter.get());
    vfs::SetThreadSleepHooks({DropKernelLock, TakeKernelLock});
  }
}

VfsTaskFiles* VfsFiles(Task& task) {
  // Every file handler comes through here first: a cheap place to note which
  // task this host thread runs (procfs's "self").
  SetCurrentTaskForProc(task);
  return dynamic_cast<VfsTaskFiles*>(task.files());
}

std::shared_ptr<TaskFiles> VfsTaskFiles::Fork(bool share) {
  if (share) return shared_from_this();
  return std::make_shared<VfsTaskFiles>(mounts_, fds_->Clone(), fs_->Clone());
}

int64_t VfsTaskFiles::ReadExecutable(const std::string& path, std::string* contents) {
  auto ctx = At(AT_FDCWD, path);
  if (!ctx) return ctx.error();
  auto target = vfs::Resolve(*ctx, path, true);
  if (!target) return target.error();
  vfs::Inode& inode = target->inode();
  if (!inode.IsRegular()) return -EACCES;
  if (target->mount->flags() & MS_NOEXEC) return -EACCES;
  if (int err = vfs::CheckPermission(inode, creds(), vfs::kMayExec)) return err;
  auto file = vfs::OpenLocation(*ctx, *target, O_RDONLY);
  if (!file) return file.error();
  contents->clear();
  char buf[65536];
  for (int64_t off = 0;;) {
    int64_t n = (*file)->PRead(buf, off);
    if (n < 0) return n;
    if (n == 0) return 0;
    contents->append(buf, static_cast<size_t>(n));
    off += n;
  }
}

int64_t VfsTaskFiles::ReadForMmap(int fd, uint64_t offset, uint64_t len, std::string* out) {
  vfs::Ref<vfs::FileDescription> file = fds_->Get(fd);
  if (!file) return -EBADF;
  if (!file->readable()) return -EACCES;
  if (!file->location() || !file->location().inode().IsRegular()) return -ENODEV;
  out->clear();
  char buf[65536];
  while (out->size() < len) {
    size_t want = std::min<uint64_t>(sizeof(buf), len - out->size());
    int64_t n = file->PRead({buf, want}, static_cast<int64_t>(offset + out->size()));
    if (n < 0) return n;
    if (n == 0) break;
    out->append(buf, static_cast<size_t>(n));
  }
  return 0;
}

Result<> MountInSandbox(vfs::MountNamespace& ns, const std::string& path, vfs::Ref<vfs::FileSystem> fs,
                        uint64_t flags) {
  return MountAtPath(ns, path, std::move(fs), flags);
}

Result<vfs::Ref<vfs::MountNamespace>> MakeSandboxMounts(vfs::Ref<vfs::FileSystem> lower) {
  auto ns = vfs::MakeRef<vfs::MountNamespace>(fs::Overlay::Create(fs::Tmpfs::Create(), std::move(lower)));
  // /dev and /proc are always the sandbox's own, whatever the image has there.
  // The sandbox's own stdio is its console when it is a terminal.
  if (isatty(STDIN_FILENO)) fs::SetConsole(UniqueFd(fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)));
  TRY(MountAtPath(*ns, "/dev", fs::MakeDevFs(), MS_NOSUID | MS_NOEXEC));
  TRY(MountAtPath(*ns, "/proc", fs::MakeProcFs(NewKernelProcSource()), MS_NOSUID | MS_NODEV | MS_NOEXEC));
  return ns;
}

Result<std::shared_ptr<VfsTaskFiles>> MakeProcessFiles(vfs::Ref<vfs::MountNamespace> ns, std::array<int, 3> stdio,
                                                       const std::string& cwd) {
  vfs::PathContext ctx{ns->Root(), ns->Root(), {}};
  auto fds = vfs::MakeRef<vfs::FdTable>();
  for (int fd = 0; fd < 3; ++fd) {
    auto file = StdioFile(ctx, stdio[fd]);
    if (!file) return std::unexpected(ErrnoError(fmt::format("duplicating host fd {} for guest fd {}", stdio[fd], fd)));
    fds->Install(std::move(file), false, fd);
  }
  auto fsctx = vfs::MakeRef<vfs::FsContext>(ns->Root(), ns->Root());
  if (auto changed = vfs::ChangeDirectory(*fsctx, ctx, cwd); !changed) {
    return std::unexpected(Errorf("cwd {} in the sandbox: errno {}", cwd, -changed.error()));
  }
  return std::make_shared<VfsTaskFiles>(std::move(ns), std::move(fds), std::move(fsctx));
}

Result<std::shared_ptr<VfsTaskFiles>> MakeSandboxFiles(const std::string& host_root, std::array<int, 3> stdio,
                                                       const std::string& cwd) {
  auto lower = TRY_CTX(fs::HostDir::Create(host_root), "sandbox root");
  auto ns = TRY(MakeSandboxMounts(std::move(lower)));
  return MakeProcessFiles(std::move(ns), stdio, cwd);
}

}  // namespace cocoon::kernel
