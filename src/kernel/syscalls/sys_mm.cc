// The mmap family: argument plumbing into the task's MemoryManager.
#include <sys/mman.h>

#include <cerrno>

#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

int64_t SysBrk(Task& task, const SyscallArgs& args) { return task.mm().Brk(args.U64(0)); }

int64_t SysMmap(Task& task, const SyscallArgs& args) {
  if (args.U64(5) % kPageSize != 0) return -EINVAL;
  return task.mm().Mmap(args.U64(0), args.U64(1), args.Int(2), args.Int(3));
}

int64_t SysMunmap(Task& task, const SyscallArgs& args) { return task.mm().Munmap(args.U64(0), args.U64(1)); }

int64_t SysMprotect(Task& task, const SyscallArgs& args) {
  return task.mm().Mprotect(args.U64(0), args.U64(1), args.Int(2));
}

int64_t SysMremap(Task& task, const SyscallArgs& args) {
  return task.mm().Mremap(args.U64(0), args.U64(1), args.U64(2), args.Int(3), args.U64(4));
}

int64_t SysMadvise(Task& task, const SyscallArgs& args) {
  return task.mm().Madvise(args.U64(0), args.U64(1), args.Int(2));
}

int64_t SysMemNoop(Task&, const SyscallArgs&) { return 0; }

}  // namespace cocoon::kernel
