// The stub's machine code (see stub_code.h); only data here, never run in place.
#include "platform/ptrace/stub_code.h"

asm(R"(
  .pushsection .rodata.cocoon_stub, "a"
  .globl cocoon_stub_code_start
  .globl cocoon_stub_code_end
  .globl cocoon_stub_syscall
cocoon_stub_code_start:
  mov $11, %eax         # munmap(0, stub page): everything below
  xor %edi, %edi
  mov %r12, %rsi
  syscall
  mov $11, %eax         # munmap(stub page + 4096, r13): everything above
  lea 4096(%r12), %rdi
  mov %r13, %rsi
  syscall
  int3                  # first stop: the tracer takes over from here
cocoon_stub_syscall:
  syscall
  int3
cocoon_stub_code_end:
  .popsection
)");
