// The machine code of a ptrace stub: a position-independent blob the platform
// copies to a fixed page above guest memory, so that every stub has it at the
// same address whatever the kernel binary's layout.
#pragma once

#include <cstddef>

namespace cocoon::platform::ptrace {

// Entry: with r12 = the stub page's address and r13 = the length to unmap above
// it, unmaps everything else in the process, then stops with int3.
extern "C" const unsigned char cocoon_stub_code_start[];
extern "C" const unsigned char cocoon_stub_code_end[];
// A `syscall; int3` pair used to inject syscalls into the stub.
extern "C" const unsigned char cocoon_stub_syscall[];

inline size_t StubSyscallOffset() { return cocoon_stub_syscall - cocoon_stub_code_start; }
inline size_t StubCodeSize() { return cocoon_stub_code_end - cocoon_stub_code_start; }

}  // namespace cocoon::platform::ptrace
