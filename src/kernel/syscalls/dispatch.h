// Syscall dispatch through the table, ENOSYS for the unimplemented, and --strace.
#pragma once

#include <cstdint>

#include "kernel/syscalls/syscall.h"

namespace cocoon::kernel {

// Handles the syscall the task stopped at and writes its result to rax.
void DispatchSyscall(Task& task);
// The table row for `nr`, or nullptr when the number is unknown.
const SyscallInfo* LookupSyscall(uint64_t nr);

}  // namespace cocoon::kernel
