// Signal frames in Linux's x86-64 layout, so guest libcs' restorers work unchanged.
#include "kernel/signal/frame.h"

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "kernel/signal/sigframe_abi.h"
#include "kernel/signal/signal.h"
#include "kernel/syscalls/syscall.h"

namespace cocoon::kernel {
namespace {

constexpr uint64_t kRedZone = 128;

bool OnStack(const stack_t& stack, uint64_t sp) {
  auto base = reinterpret_cast<uint64_t>(stack.ss_sp);
  return !(stack.ss_flags & SS_DISABLE) && sp > base && sp <= base + stack.ss_size;
}

void SaveRegisters(const platform::Registers& r, abi::SigContext* sc) {
  *sc = abi::SigContext{.r8 = r.r8, .r9 = r.r9, .r10 = r.r10, .r11 = r.r11, .r12 = r.r12, .r13 = r.r13,
                        .r14 = r.r14, .r15 = r.r15, .rdi = r.rdi, .rsi = r.rsi, .rbp = r.rbp, .rbx = r.rbx,
                        .rdx = r.rdx, .rax = r.rax, .rcx = r.rcx, .rsp = r.rsp, .rip = r.rip,
                        .eflags = r.eflags, .cs = static_cast<uint16_t>(r.cs),
                        .ss = static_cast<uint16_t>(r.ss)};
}

void RestoreRegisters(const abi::SigContext& sc, platform::Registers* r) {
  r->r8 = sc.r8, r->r9 = sc.r9, r->r10 = sc.r10, r->r11 = sc.r11;
  r->r12 = sc.r12, r->r13 = sc.r13, r->r14 = sc.r14, r->r15 = sc.r15;
  r->rdi = sc.rdi, r->rsi = sc.rsi, r->rbp = sc.rbp, r->rbx = sc.rbx;
  r->rdx = sc.rdx, r->rax = sc.rax, r->rcx = sc.rcx, r->rsp = sc.rsp, r->rip = sc.rip;
  r->eflags = (r->eflags & ~abi::kRestorableFlags) | (sc.eflags & abi::kRestorableFlags);
  r->orig_rax = static_cast<uint64_t>(-1);  // no syscall to restart
}

}  // namespace

bool SetupFrame(Task& task, int sig, const siginfo_t& info, const SignalAction& action) {
  platform::Registers& regs = task.regs();
  uint64_t sp = regs.rsp;
  const stack_t& alt = task.altstack();
  if ((action.flags & SA_ONSTACK) && !(alt.ss_flags & SS_DISABLE) && !OnStack(alt, sp)) {
    sp = reinterpret_cast<uint64_t>(alt.ss_sp) + alt.ss_size;
  }
  sp -= kRedZone;
  uint64_t fpstate = (sp - abi::kFxsaveSize) & ~uint64_t{63};
  sp = ((fpstate - sizeof(abi::RtSigFrame)) & ~uint64_t{15}) - 8;  // as after a call

  platform::FpRegisters fp{};
  if (auto got = task.context()->GetFpRegisters(&fp); !got) {
    log::Error("kernel: {}", got.error().message());
    return false;
  }
  abi::RtSigFrame frame{};
  frame.pretcode = action.restorer;
  frame.uc.stack = {.sp = reinterpret_cast<uint64_t>(alt.ss_sp),
                    .flags = OnStack(alt, regs.rsp) ? SS_ONSTACK : alt.ss_flags,
                    .size = alt.ss_size};
  SaveRegisters(regs, &frame.uc.mcontext);
  frame.uc.mcontext.fpstate = fpstate;
  frame.uc.mcontext.oldmask = task.blocked();
  frame.uc.sigmask = task.saved_mask() ? *task.saved_mask() : task.blocked();
  task.saved_mask().reset();
  frame.info = info;
  if (CopyOut(task, fpstate, &fp, sizeof(fp)) < 0 || CopyOut(task, sp, &frame, sizeof(frame)) < 0) {
    return false;
  }
  regs.rdi = static_cast<uint64_t>(sig);
  regs.rsi = sp + offsetof(abi::RtSigFrame, info);
  regs.rdx = sp + offsetof(abi::RtSigFrame, uc);
  regs.rax = 0;
  regs.rip = action.handler;
  regs.rsp = sp;
  regs.eflags &= ~uint64_t{0x500};  // DF and TF clear in the handler
  regs.orig_rax = static_cast<uint64_t>(-1);
  SigSet blocked = task.blocked() | action.mask;
  if (!(action.flags & SA_NODEFER)) blocked |= SigBit(sig);
  task.set_blocked(blocked);
  return true;
}

int64_t SigReturn(Task& task) {
  platform::Registers& regs = task.regs();
  abi::RtSigFrame frame;
  uint64_t frame_addr = regs.rsp - sizeof(uint64_t);  // the handler's ret popped pretcode
  if (CopyIn(task, frame_addr, &frame, sizeof(frame)) < 0) {
    ForceSignal(task, UserSigInfo(SIGSEGV, SI_KERNEL, 0));
    return kRegistersSet;
  }
  RestoreRegisters(frame.uc.mcontext, &regs);
  task.set_blocked(frame.uc.sigmask);
  if (frame.uc.mcontext.fpstate != 0) {
    platform::FpRegisters fp;
    if (CopyIn(task, frame.uc.mcontext.fpstate, &fp, sizeof(fp)) == 0) {
      fp.mxcsr &= 0xffff;  // reserved bits would make the restore fault
      if (auto set = task.context()->SetFpRegisters(fp); !set) log::Warn("kernel: {}", set.error().message());
    }
  }
  return kRegistersSet;
}

}  // namespace cocoon::kernel
