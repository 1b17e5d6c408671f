// Where things go in a guest address space (no randomization yet).
#pragma once

#include <cstdint>

#include "platform/platform.h"

namespace cocoon::kernel {

inline constexpr uint64_t kPageSize = platform::kPageSize;
// The first address a guest may map (vm.mmap_min_addr).
inline constexpr uint64_t kMinGuestAddress = 0x10000;
inline constexpr uint64_t kMaxGuestAddress = platform::kMaxGuestAddress;
// The initial stack ends a little below the platform's pages.
inline constexpr uint64_t kStackTop = kMaxGuestAddress - 16 * kPageSize;
inline constexpr uint64_t kStackSize = 8 << 20;  // RLIMIT_STACK's default
// mmap without a fixed address searches downwards from here.
inline constexpr uint64_t kMmapTop = kStackTop - kStackSize - (256 << 20);
// Where an ET_DYN program without an interpreter goes (Linux's ELF_ET_DYN_BASE).
inline constexpr uint64_t kPieBase = 0x555555554000;

inline constexpr uint64_t PageDown(uint64_t x) { return x & ~(kPageSize - 1); }
inline constexpr uint64_t PageUp(uint64_t x) { return (x + kPageSize - 1) & ~(kPageSize - 1); }

}  // namespace cocoon::kernel
