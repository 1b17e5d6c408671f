// Loading static and static-PIE x86-64 ELF programs into a fresh address space,
// and building the initial stack (argv, envp, auxv) Linux's ABI describes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/mm/memory_manager.h"

namespace cocoon::kernel {

struct LoadedImage {
  uint64_t entry = 0;
  uint64_t phdr = 0;   // guest address of the program headers (AT_PHDR)
  uint64_t phent = 0;
  uint64_t phnum = 0;
  uint64_t bias = 0;   // load bias (0 for ET_EXEC)
  std::string interp;  // PT_INTERP: the dynamic loader to run first, if any
};

// Where an ET_DYN image goes: the main program, or its interpreter.
inline constexpr uint64_t kInterpBase = kMmapTop - (uint64_t{1} << 30);

// Maps the PT_LOAD segments of `image` into `mm`; an ET_DYN image goes at
// `dyn_base`. Sets the brk start unless `interpreter`. -ENOEXEC for what is
// not a loadable x86-64 ELF.
int64_t LoadElf(MemoryManager& mm, std::string_view image, LoadedImage* out, uint64_t dyn_base = kPieBase,
                bool interpreter = false);

// Maps the stack and writes argc, argv, envp and auxv (AT_BASE = `interp_base`,
// the interpreter's load address or 0); returns the initial rsp (>0) or -errno
// (E2BIG for too much).
int64_t BuildInitialStack(MemoryManager& mm, const LoadedImage& image, const std::vector<std::string>& argv,
                          const std::vector<std::string>& envp, const std::string& execfn,
                          uint64_t interp_base = 0);

}  // namespace cocoon::kernel
