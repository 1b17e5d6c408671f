// The x86-64 signal frame as Linux lays it out on the guest stack (ABI: must not change).
#pragma once

#include <signal.h>

#include <cstddef>
#include <cstdint>

namespace cocoon::kernel::abi {

struct SigContext {  // struct sigcontext_64
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;  // guest address of the FXSAVE image, or 0
  uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct StackT {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};

struct UContext {  // the kernel's struct ucontext
  uint64_t flags;
  uint64_t link;
  StackT stack;
  SigContext mcontext;
  uint64_t sigmask;
};
static_assert(offsetof(UContext, mcontext) == 40);

struct RtSigFrame {
  uint64_t pretcode;  // sa_restorer: the handler returns into it
  UContext uc;
  siginfo_t info;
};

inline constexpr uint64_t kFxsaveSize = 512;
// The eflags bits a signal handler may change (Linux's FIX_EFLAGS).
inline constexpr uint64_t kRestorableFlags = 0x50dd5;

}  // namespace cocoon::kernel::abi
