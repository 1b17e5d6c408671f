// Futexes: tasks sleep on a word of guest memory, keyed by where that word
// lives in the memory file, so private and shared futexes both work.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <optional>

#include "kernel/sync/wait_queue.h"

namespace cocoon::kernel {

class Task;

class FutexTable {
 public:
  // FUTEX_WAIT(_BITSET): sleeps if *addr == `expected`, until woken, the
  // deadline passes (-ETIMEDOUT), or a signal (-EINTR mapped by the caller).
  int64_t Wait(Task& task, uint64_t addr, uint32_t expected, uint32_t bitset,
               std::optional<std::chrono::steady_clock::time_point> deadline);
  // FUTEX_WAKE(_BITSET): wakes up to `count` sleepers; returns how many.
  int64_t Wake(Task& task, uint64_t addr, int count, uint32_t bitset);

 private:
  struct Waiter {
    uint32_t bitset;
    bool woken = false;
    WaitQueue queue;
  };
  std::map<uint64_t, std::list<Waiter*>> waiters_;  // by memory-file offset
};

// The sandbox's futex table (guarded by the kernel lock).
FutexTable& Futexes();

}  // namespace cocoon::kernel
