// execve's steps: read, load into a fresh address space, swap it in, reset state.
#include "kernel/task/exec.h"

#include <cerrno>

#include "base/log.h"
#include "kernel/kernel.h"
#include "kernel/loader/elf_loader.h"
#include "kernel/syscalls/syscall.h"
#include "kernel/task/exit.h"

namespace cocoon::kernel {
namespace {

// x86-64 user segment selectors.
constexpr uint64_t kUserCs = 0x33;
constexpr uint64_t kUserSs = 0x2b;
constexpr uint64_t kInitialFlags = 0x202;  // IF, and the always-one bit

std::string BaseName(const std::string& path) {
  auto slash = path.rfind('/');
  return (slash == std::string::npos ? path : path.substr(slash + 1)).substr(0, 15);
}

}  // namespace

int64_t ExecInto(Task& task, const std::string& path, const std::vector<std::string>& argv,
                 const std::vector<std::string>& envp) {
  if (!task.files()) return -ENOENT;
  std::string image;
  if (int64_t err = task.files()->ReadExecutable(path, &image); err < 0) return err;
  if (image.starts_with("#!")) return -ENOEXEC;  // scripts come with the file side
  auto mm = std::make_shared<MemoryManager>(task.kernel().memory_file());
  LoadedImage loaded;
  if (int64_t err = LoadElf(*mm, image, &loaded); err < 0) return err;
  int64_t sp = BuildInitialStack(*mm, loaded, argv, envp, path);
  if (sp < 0) return sp;

  // The point of no return: the old address space goes.
  if (auto installed = task.InstallMm(std::move(mm)); !installed) {
    log::Error("kernel: execve {}: {}", path, installed.error().message());
    ExitGroup(task, SIGKILL);
    return kRegistersSet;
  }
  platform::Registers regs{};
  regs.cs = kUserCs;
  regs.ss = kUserSs;
  regs.eflags = kInitialFlags;
  regs.rip = loaded.entry;
  regs.rsp = static_cast<uint64_t>(sp);
  regs.orig_rax = static_cast<uint64_t>(-1);
  task.set_regs(regs);
  for (auto& action : task.group().actions) {
    if (action.handler != reinterpret_cast<uint64_t>(SIG_IGN)) action = SignalAction{};
  }
  task.altstack() = {.ss_sp = nullptr, .ss_flags = SS_DISABLE, .ss_size = 0};
  task.files()->OnExec();
  task.group().name = BaseName(path);
  task.clear_child_tid = 0;
  if (task.vfork_done) {
    *task.vfork_done = true;
    if (task.vfork_waiters) task.vfork_waiters->Notify();
    task.vfork_done.reset();
  }
  return kRegistersSet;
}

}  // namespace cocoon::kernel
