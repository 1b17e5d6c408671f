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

// Linux's limits for `#!` lines: the line length and nested interpreters.
constexpr size_t kMaxShebang = 256;
constexpr int kMaxInterpreterDepth = 4;

// "#!interp [arg]": argv becomes interp, [arg], path, argv[1:]. -ENOEXEC if malformed.
int64_t ScriptArgv(std::string_view image, const std::string& path, const std::vector<std::string>& argv,
                   std::vector<std::string>* out) {
  std::string_view line = image.substr(2, std::min(image.find('\n'), kMaxShebang) - 2);
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
  };
  line = trim(line);
  if (line.empty()) return -ENOEXEC;
  size_t space = line.find_first_of(" \t");
  out->emplace_back(line.substr(0, space));
  if (space != std::string_view::npos && !trim(line.substr(space)).empty()) {
    out->emplace_back(trim(line.substr(space)));
  }
  out->push_back(path);
  if (argv.size() > 1) out->insert(out->end(), argv.begin() + 1, argv.end());
  return 0;
}

int64_t ExecAt(Task& task, const std::string& path, const std::vector<std::string>& argv,
               const std::vector<std::string>& envp, int depth);

}  // namespace

int64_t ExecInto(Task& task, const std::string& path, const std::vector<std::string>& argv,
                 const std::vector<std::string>& envp) {
  return ExecAt(task, path, argv, envp, 0);
}

namespace {

int64_t ExecAt(Task& task, const std::string& path, const std::vector<std::string>& argv,
               const std::vector<std::string>& envp, int depth) {
  if (!task.files()) return -ENOENT;
  std::string image;
  if (int64_t err = task.files()->ReadExecutable(path, &image); err < 0) return err;
  if (image.starts_with("#!")) {
    if (depth >= kMaxInterpreterDepth) return -ELOOP;
    std::vector<std::string> script_argv;
    if (int64_t err = ScriptArgv(image, path, argv, &script_argv); err < 0) return err;
    return ExecAt(task, script_argv[0], script_argv, envp, depth + 1);
  }
  auto mm = std::make_shared<MemoryManager>(task.kernel().memory_file());
  LoadedImage loaded;
  if (int64_t err = LoadElf(*mm, image, &loaded); err < 0) return err;
  // A dynamic program starts in its interpreter (ld.so), which finds the
  // program through AT_PHDR/AT_ENTRY and loads its libraries with mmap.
  uint64_t entry = loaded.entry;
  uint64_t interp_base = 0;
  if (!loaded.interp.empty()) {
    std::string interp_image;
    if (int64_t err = task.files()->ReadExecutable(loaded.interp, &interp_image); err < 0) return err;
    LoadedImage interp;
    if (int64_t err = LoadElf(*mm, interp_image, &interp, kInterpBase, /*interpreter=*/true); err < 0) {
      return err == -ENOEXEC ? -ELIBBAD : err;
    }
    entry = interp.entry;
    interp_base = interp.bias;
  }
  int64_t sp = BuildInitialStack(*mm, loaded, argv, envp, path, interp_base);
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
  regs.rip = entry;
  regs.rsp = static_cast<uint64_t>(sp);
  regs.orig_rax = static_cast<uint64_t>(-1);
  task.set_regs(regs);
  for (auto& action : task.group().actions) {
    if (action.handler != reinterpret_cast<uint64_t>(SIG_IGN)) action = SignalAction{};
  }
  task.altstack() = {.ss_sp = nullptr, .ss_flags = SS_DISABLE, .ss_size = 0};
  task.files()->OnExec();
  ThreadGroup& group = task.group();
  group.name = BaseName(path).substr(0, 15);  // TASK_COMM_LEN - 1, as Linux truncates it
  group.cmdline.clear();
  for (const auto& arg : argv) group.cmdline.append(arg).push_back('\0');
  group.environ.clear();
  for (const auto& var : envp) group.environ.append(var).push_back('\0');
  group.exe = path;
  task.clear_child_tid = 0;
  if (task.vfork_done) {
    *task.vfork_done = true;
    if (task.vfork_waiters) task.vfork_waiters->Notify();
    task.vfork_done.reset();
  }
  return kRegistersSet;
}

}  // namespace

}  // namespace cocoon::kernel
