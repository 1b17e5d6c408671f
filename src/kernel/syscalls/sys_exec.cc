// execve: copying path, argv and envp in from the guest.
#include <cerrno>

#include "kernel/syscalls/handlers.h"
#include "kernel/task/exec.h"

namespace cocoon::kernel {
namespace {

constexpr size_t kMaxArgs = 0x7fffffff / sizeof(uint64_t);
constexpr size_t kMaxArgStrlen = 32 * 4096;  // MAX_ARG_STRLEN
constexpr size_t kMaxTotal = 2 << 20;

int64_t CopyInStringArray(Task& task, uint64_t addr, std::vector<std::string>* out) {
  size_t total = 0;
  for (size_t i = 0; addr != 0 && i < kMaxArgs; ++i) {
    uint64_t ptr;
    if (CopyInObj(task, addr + i * sizeof(uint64_t), &ptr) < 0) return -EFAULT;
    if (ptr == 0) return 0;
    std::string s;
    int64_t n = CopyInString(task, ptr, kMaxArgStrlen, &s);
    if (n == -ENAMETOOLONG) return -E2BIG;
    if (n < 0) return n;
    total += s.size() + 1;
    if (total > kMaxTotal) return -E2BIG;
    out->push_back(std::move(s));
  }
  return 0;
}

}  // namespace

int64_t SysExecve(Task& task, const SyscallArgs& args) {
  std::string path;
  if (int64_t err = CopyInString(task, args.U64(0), kMaxPathLen - 1, &path); err < 0) return err;
  if (path.empty()) return -ENOENT;
  std::vector<std::string> argv, envp;
  if (int64_t err = CopyInStringArray(task, args.U64(1), &argv); err < 0) return err;
  if (int64_t err = CopyInStringArray(task, args.U64(2), &envp); err < 0) return err;
  return ExecInto(task, path, argv, envp);
}

}  // namespace cocoon::kernel
