// The mmap family: argument plumbing into the task's MemoryManager.
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

int64_t SysBrk(Task& task, const SyscallArgs& args) { return task.mm().Brk(args.U64(0)); }

namespace {

// File mappings are copies for now: private ones behave exactly; shared ones
// are allowed read-only (a writable shared mapping would need the page cache
// in the memory file to stay coherent with the file).
int64_t MmapFile(Task& task, const SyscallArgs& args) {
  uint64_t len = args.U64(1);
  int prot = args.Int(2);
  int flags = args.Int(3);
  if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & PROT_WRITE)) return -ENODEV;
  if (len == 0) return -EINVAL;
  if (!task.files()) return -EBADF;
  std::string data;
  if (int64_t err = task.files()->ReadForMmap(args.Int(4), args.U64(5), len, &data); err < 0) return err;
  int anon_flags = (flags & ~MAP_TYPE) | MAP_PRIVATE | MAP_ANONYMOUS;
  int64_t addr = task.mm().Mmap(args.U64(0), len, prot, anon_flags);
  if (addr < 0) return addr;
  if (!data.empty()) task.mm().CopyOut(addr, data.data(), std::min<uint64_t>(data.size(), len), /*force=*/true);
  return addr;
}

}  // namespace

int64_t SysMmap(Task& task, const SyscallArgs& args) {
  if (args.U64(5) % kPageSize != 0) return -EINVAL;
  if (!(args.Int(3) & MAP_ANONYMOUS)) return MmapFile(task, args);
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
