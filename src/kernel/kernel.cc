// The kernel's lifetime: boot init, keep the pid namespace, wait for the end.
#include "kernel/kernel.h"

#include "kernel/signal/signal.h"
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
    : options_(options), memory_(std::move(memory)), platform_(std::move(platform)),
      strace_(options.strace),
      hostname_(options.hostname),
      domainname_(options.domainname) {}

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
  process_exited_.notify_all();
  if (--live_tasks_ == 0) all_exited_.notify_all();
}

void Kernel::InitExited(int wait_status) {
  init_status_ = wait_status;
  // The pid namespace dies with its init: SIGKILL to everyone left.
  for (auto& [tid, task] : tasks_) task->Kill();
}

namespace {

constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string_view PathOf(const std::vector<std::string>& envp) {
  for (const auto& var : envp) {
    if (var.starts_with("PATH=")) return std::string_view(var).substr(5);
  }
  return kDefaultPath;
}

// execve of argv[0], searched on PATH as execvp does: the first candidate
// that exists wins; EACCES is reported only if nothing else was found.
int64_t ExecSearchingPath(Task& task, const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
  const std::string& name = argv[0];
  if (name.find('/') != std::string::npos) return ExecInto(task, name, argv, envp);
  int64_t result = -ENOENT;
  std::string_view path = PathOf(envp);
  for (size_t start = 0; start <= path.size();) {
    size_t end = std::min(path.find(':', start), path.size());
    std::string dir(path.substr(start, end - start));
    start = end + 1;
    int64_t loaded = ExecInto(task, (dir.empty() ? "." : dir) + "/" + name, argv, envp);
    if (loaded == kRegistersSet) return loaded;
    if (loaded == -EACCES) result = loaded;
    else if (loaded != -ENOENT && loaded != -ENOTDIR) return loaded;
  }
  return result;
}

char StateOf(const ThreadGroup& group) {
  if (group.zombie) return 'Z';
  if (group.stopped) return 'T';
  return 'S';
}

}  // namespace

Result<int> Kernel::Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                          std::shared_ptr<TaskFiles> files) {
  if (argv.empty()) return std::unexpected(MakeError("kernel: no program to run"));
  std::unique_lock lock(KernelMutex());
  if (auto init = FindProcess(1); next_pid_ > 1 && (!init || init->zombie)) return std::unexpected(MakeError("kernel: the container has exited"));
  auto group = std::make_shared<ThreadGroup>();
  group->pid = group->pgid = group->sid = next_pid_;
  auto task = std::make_shared<Task>(*this, group->pid, group);
  group->tasks.push_back(task);
  task->set_files(files);
  int64_t loaded = ExecSearchingPath(*task, argv, envp);
  if (loaded != kRegistersSet) {
    return std::unexpected(
        ErrnoError(fmt::format("kernel: starting {}", argv[0]), static_cast<int>(-loaded)));
  }
  AllocatePid();
  if (group->pid == 1) init_files_ = std::move(files);
  StartTask(task);
  return group->pid;
}

Result<int> Kernel::WaitProcess(int pid) {
  std::unique_lock lock(KernelMutex());
  auto group = FindProcess(pid);
  if (!group) return std::unexpected(Errorf("no process {} in the sandbox", pid));
  process_exited_.wait(lock, [&] { return group->zombie; });
  // Nobody else will reap a process without a guest parent.
  if (pid != 1 && !group->parent.lock()) RemoveProcess(pid);
  return group->wait_status;
}

int Kernel::WaitAll() {
  std::unique_lock lock(KernelMutex());
  all_exited_.wait(lock, [this] { return live_tasks_ == 0; });
  std::vector<std::thread> threads = std::move(threads_);
  lock.unlock();
  for (auto& thread : threads) thread.join();
  return ShellStatus(init_status_.value_or(SIGKILL));
}

Result<> Kernel::Signal(int pid, int signo) {
  if (signo < 1 || signo > kNumSignals) return std::unexpected(Errorf("invalid signal {}", signo));
  std::unique_lock lock(KernelMutex());
  std::vector<std::shared_ptr<ThreadGroup>> targets;
  if (pid <= 0) {
    for (auto& [p, group] : processes_) {
      if (pid == 0 || group->pgid == -pid) targets.push_back(group);
    }
    if (pid < 0 && targets.empty()) return std::unexpected(Errorf("no process group {} in the sandbox", -pid));
  } else if (auto group = FindProcess(pid)) {
    targets.push_back(group);
  } else {
    return std::unexpected(Errorf("no process {} in the sandbox", pid));
  }
  for (auto& group : targets) {
    if (group->zombie) continue;
    bool default_action = group->actions[signo].handler == reinterpret_cast<uint64_t>(SIG_DFL);
    if (group->pid == 1 && default_action && signo != SIGKILL && signo != SIGSTOP) continue;
    siginfo_t info{};
    info.si_signo = signo;
    info.si_code = SI_USER;
    SendSignalToGroup(*group, info);
  }
  return {};
}

std::vector<Kernel::ProcessInfo> Kernel::ListProcesses() {
  std::unique_lock lock(KernelMutex());
  std::vector<ProcessInfo> out;
  for (auto& [pid, group] : processes_) {
    auto parent = group->parent.lock();
    out.push_back({.pid = pid, .ppid = parent ? parent->pid : 0, .pgid = group->pgid,
                   .threads = static_cast<int>(group->tasks.size()), .state = StateOf(*group), .name = group->name});
  }
  return out;
}

std::string Kernel::DumpTasks() {
  std::unique_lock lock(KernelMutex());
  std::string out;
  for (auto& [tid, task] : tasks_) {
    out += fmt::format("tid {} pid {} comm {} pending {:#x} blocked {:#x}{}\n", tid, task->group().pid,
                       task->group().name, task->pending(), task->blocked(), task->killed() ? " killed" : "");
  }
  return out;
}

Result<int> Kernel::Run(std::shared_ptr<TaskFiles> init_files) {
  TRY(Spawn(options_.argv, options_.envp, std::move(init_files)));
  return WaitAll();
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
