// The kernel's lifetime: boot init, keep the pid namespace, wait for the end.
#include "kernel/kernel.h"

#include "kernel/sync/kernel_lock.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/task/exec.h"
#include "kernel/syscalls/sys_file.h"

namespace cocoon::kernel {

int ShellStatus(int wait_status) {
  if ((wait_status & 0x7f) == 0) return (wait_status >> 8) & 0xff;
  return 128 + (wait_status & 0x7f);
}

Kernel::Kernel(const GuestOptions& options, std::unique_ptr<MemoryFile> memory,
               std::unique_ptr<platform::Platform> platform)
    : options_(options), memory_(std::move(memory)), platform_(std::move(platform)) {}

Kernel::~Kernel() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

int Kernel::AllocatePid() { return next_pid_++; }

std::shared_ptr<ThreadGroup> Kernel::FindProcess(int pid) {
  auto it = processes_.find(pid);
  return it == processes_.end() ? nullptr : it->second;
}

std::shared_ptr<Task> Kernel::FindTask(int tid) {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : it->second;
}

void Kernel::StartTask(std::shared_ptr<Task> task) {
  tasks_[task->tid()] = task;
  if (task->group().pid == task->tid()) processes_[task->tid()] = task->group_ptr();
  ++live_tasks_;
  threads_.emplace_back([task] {
    std::unique_lock lock(KernelMutex());
    task->Run(lock);
  });
}

void Kernel::TaskExited(Task& task) {
  tasks_.erase(task.tid());
  if (--live_tasks_ == 0) all_exited_.notify_all();
}

void Kernel::InitExited(int wait_status) {
  init_status_ = wait_status;
  // The pid namespace dies with its init: SIGKILL to everyone left.
  for (auto& [tid, task] : tasks_) task->Kill();
}

Result<int> Kernel::Run(std::shared_ptr<TaskFiles> init_files) {
  if (options_.argv.empty()) return std::unexpected(MakeError("kernel: no program to run"));
  std::unique_lock lock(KernelMutex());
  auto group = std::make_shared<ThreadGroup>();
  group->pid = group->pgid = group->sid = AllocatePid();
  auto init = std::make_shared<Task>(*this, group->pid, group);
  group->tasks.push_back(init);
  init->set_files(std::move(init_files));
  int64_t loaded = ExecInto(*init, options_.argv[0], options_.argv, options_.envp);
  if (loaded != kRegistersSet) {
    return std::unexpected(ErrnoError(fmt::format("kernel: starting {}", options_.argv[0]), static_cast<int>(-loaded)));
  }
  StartTask(init);
  all_exited_.wait(lock, [this] { return live_tasks_ == 0; });
  std::vector<std::thread> threads = std::move(threads_);
  lock.unlock();
  for (auto& thread : threads) thread.join();
  return ShellStatus(init_status_.value_or(SIGKILL));
}

Result<int> RunSandboxed(const GuestOptions& options) {
  auto memory = TRY(MemoryFile::Create());
  auto platform = TRY(platform::NewPtracePlatform(memory->fd()));
  std::shared_ptr<TaskFiles> files;
  if (options.make_files) {
    files = TRY_CTX(options.make_files(options), "kernel: setting up init's files");
  } else {
    files = TRY(MakeSandboxFiles(options.root, {options.stdin_fd, options.stdout_fd, options.stderr_fd}, options.cwd));
  }
  Kernel kernel(options, std::move(memory), std::move(platform));
  return kernel.Run(std::move(files));
}

}  // namespace cocoon::kernel
