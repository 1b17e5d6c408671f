// Dispatch: table lookup, the handler, the result into rax; --strace lines and
// the once-per-name log of unimplemented syscalls.
#include "kernel/syscalls/dispatch.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <set>
#include <string>

#include "base/log.h"
#include "kernel/kernel.h"
#include "kernel/signal/signal.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {
namespace {

void LogUnimplemented(uint64_t nr, const SyscallInfo* info) {
  static std::set<uint64_t> logged;  // guarded by the kernel lock
  if (!logged.insert(nr).second) return;
  if (info) {
    log::Warn("kernel: unimplemented syscall {} ({}): ENOSYS", info->name, nr);
  } else {
    log::Warn("kernel: unknown syscall {}: ENOSYS", nr);
  }
}

std::string FormatArg(Task& task, ArgKind kind, uint64_t value) {
  switch (kind) {
    case ArgKind::kInt:
      return std::to_string(static_cast<int64_t>(value));
    case ArgKind::kFd:
      return static_cast<int>(value) == AT_FDCWD ? "AT_FDCWD" : std::to_string(static_cast<int>(value));
    case ArgKind::kSize:
      return std::to_string(value);
    case ArgKind::kOctal:
      return fmt::format("{:#o}", value);
    case ArgKind::kSignal: {
      const char* abbrev = value > 0 && value < 65 ? sigabbrev_np(static_cast<int>(value)) : nullptr;
      return abbrev ? fmt::format("SIG{}", abbrev) : std::to_string(value);
    }
    case ArgKind::kPath: {
      std::string s;
      if (CopyInString(task, value, 256, &s) < 0) return fmt::format("{:#x}", value);
      return fmt::format("\"{}\"", s);
    }
    case ArgKind::kHex:
    case ArgKind::kPtr:
    case ArgKind::kNone:
      break;
  }
  return fmt::format("{:#x}", value);
}

std::string FormatCall(Task& task, const SyscallInfo* info, const SyscallArgs& args) {
  if (!info) return fmt::format("syscall_{}()", args.nr);
  std::string out = fmt::format("{}(", info->name);
  for (int i = 0; i < 6 && info->args[i] != ArgKind::kNone; ++i) {
    if (i > 0) out += ", ";
    out += FormatArg(task, info->args[i], args.a[i]);
  }
  return out + ")";
}

std::string FormatResult(int64_t ret) {
  if (ret < 0 && ret > -4096) {
    const char* name = strerrorname_np(static_cast<int>(-ret));
    return fmt::format("-1 {}", name ? name : std::to_string(-ret));
  }
  if (ret > 0xffff) return fmt::format("{:#x}", ret);
  return std::to_string(ret);
}

void Strace(int fd, const std::string& line) {
  std::string with_newline = line + "\n";
  [[maybe_unused]] ssize_t n = write(fd, with_newline.data(), with_newline.size());
}

}  // namespace

void DispatchSyscall(Task& task) {
  platform::Registers& regs = task.regs();
  SyscallArgs args{.nr = regs.orig_rax, .a = {regs.rdi, regs.rsi, regs.rdx, regs.r10, regs.r8, regs.r9}};
  const SyscallInfo* info = LookupSyscall(args.nr);
  const bool strace = task.kernel().strace();
  std::string call;
  if (strace) call = FormatCall(task, info, args);
  int tid = task.tid();

  int64_t ret;
  if (!info || !info->handler) {
    LogUnimplemented(args.nr, info);
    ret = -ENOSYS;
  } else {
    ret = info->handler(task, args);
  }
  if (ret != kRegistersSet) {
    regs.rax = static_cast<uint64_t>(ret);
    task.in_syscall = true;
  }
  if (strace) {
    Strace(task.kernel().options().strace_fd,
           fmt::format("[{}] {} = {}", tid, call, ret == kRegistersSet ? "?" : FormatResult(ret)));
  }
}

}  // namespace cocoon::kernel
