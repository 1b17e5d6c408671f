// The application kernel's entry point and its global state: the memory file,
// the platform, the pid namespace (task and process tables), the guest's stdio.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "kernel/mm/memory_file.h"
#include "kernel/task/task.h"
#include "platform/platform.h"

namespace cocoon::kernel {

struct GuestOptions {
  std::vector<std::string> argv;   // argv[0] is also the path executed
  std::vector<std::string> envp;
  std::string root = "/";          // host directory the guest sees as / (until the gofer)
  std::string cwd = "/";
  int stdin_fd = 0;                // host fds for the guest's 0, 1, 2 (not owned)
  int stdout_fd = 1;
  int stderr_fd = 2;
  std::string hostname = "cocoon";  // the UTS namespace's names (uname, sethostname)
  std::string domainname = "(none)";
  bool strace = false;             // log every guest syscall
  int strace_fd = 2;               // where --strace lines go (not owned)
  // Builds init's files (FD table with the stdio above, root, cwd). Unset: the
  // vfs's sandbox tree (MakeSandboxFiles: `root` read-only under a tmpfs
  // overlay, /dev). HostStdioFiles (stdio and executables only) also fits.
  std::function<Result<std::shared_ptr<TaskFiles>>(const GuestOptions&)> make_files;
};

// Runs argv[0] in a fresh sandbox kernel on the ptrace platform until its init
// process exits; returns the exit status a shell sees (128+n for signal n).
// Host-side failures (no ptrace, no memfd) are errors; guest failures are statuses.
Result<int> RunSandboxed(const GuestOptions& options);

class Kernel {
 public:
  Kernel(const GuestOptions& options, std::unique_ptr<MemoryFile> memory,
         std::unique_ptr<platform::Platform> platform);
  ~Kernel();

  // Starts init and waits for the sandbox to end. Call once, without the kernel lock.
  Result<int> Run(std::shared_ptr<TaskFiles> init_files);

  // The control side (called from host threads that are not tasks, without
  // the kernel lock). Spawn starts a process running argv[0], looked up on
  // the PATH of `envp` when it has no '/'. The first one is init (pid 1);
  // later ones have no guest parent, and WaitProcess reaps them.
  Result<int> Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                    std::shared_ptr<TaskFiles> files);
  // Blocks until process `pid` has exited; returns its wait status.
  Result<int> WaitProcess(int pid);
  // Blocks until every task has exited (init died); returns init's shell status.
  int WaitAll();
  // Sends `signo` to process `pid` from outside the pid namespace, to every
  // process when pid is 0, or to process group -pid when pid is negative. Init ignores signals it has no handler for, except
  // SIGKILL and SIGSTOP, as Linux's pid-namespace init does.
  Result<> Signal(int pid, int signo);
  struct ProcessInfo {
    int pid = 0;
    int ppid = 0;
    int pgid = 0;
    int threads = 0;
    char state = 'S';  // R, S, T (stopped), Z (zombie)
    std::string name;
  };
  std::vector<ProcessInfo> ListProcesses();
  // Every task's tid, group, signal masks and state, for debugging.
  std::string DumpTasks();
  // The UTS names; guarded by the kernel lock.
  std::string& hostname() { return hostname_; }
  std::string& domainname() { return domainname_; }
  // Files for a new process that shares init's mount namespace.
  std::shared_ptr<TaskFiles> init_files() { return init_files_; }

  const GuestOptions& options() const { return options_; }
  MemoryFile& memory_file() { return *memory_; }
  platform::Platform& platform() { return *platform_; }
  bool strace() const { return strace_.load(std::memory_order_relaxed); }
  // The control RPC's `logging` method turns --strace on and off at run time.
  void set_strace(bool on) { strace_ = on; }

  // The pid namespace. Everything below needs the kernel lock.
  int AllocatePid();
  std::shared_ptr<ThreadGroup> FindProcess(int pid);
  std::shared_ptr<Task> FindTask(int tid);
  const std::map<int, std::shared_ptr<ThreadGroup>>& processes() const { return processes_; }
  // Registers a new task (and its group when it leads one) and starts its host thread.
  void StartTask(std::shared_ptr<Task> task);
  // Called by an exiting task as its last act under the lock.
  void TaskExited(Task& task);
  // Forgets a reaped zombie.
  void RemoveProcess(int pid) { processes_.erase(pid); }
  // init died: every other task dies too, and the sandbox's status is set.
  void InitExited(int wait_status);

 private:
  GuestOptions options_;
  std::unique_ptr<MemoryFile> memory_;
  std::unique_ptr<platform::Platform> platform_;
  int next_pid_ = 1;
  std::map<int, std::shared_ptr<Task>> tasks_;
  std::map<int, std::shared_ptr<ThreadGroup>> processes_;
  std::vector<std::thread> threads_;
  int live_tasks_ = 0;
  std::condition_variable_any all_exited_;
  std::optional<int> init_status_;
  std::condition_variable_any process_exited_;
  std::shared_ptr<TaskFiles> init_files_;
  std::atomic<bool> strace_;
  std::string hostname_;
  std::string domainname_;
};

// The exit status a shell shows for a wait status: the code, or 128+signal.
int ShellStatus(int wait_status);

}  // namespace cocoon::kernel
