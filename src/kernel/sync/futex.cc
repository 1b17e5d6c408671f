// The futex table: per-word lists of sleepers.
#include "kernel/sync/futex.h"

#include <cerrno>

#include "kernel/syscalls/syscall.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

FutexTable& Futexes() {
  static FutexTable table;
  return table;
}

int64_t FutexTable::Wait(Task& task, uint64_t addr, uint32_t expected, uint32_t bitset,
                         std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (addr % 4 != 0) return -EINVAL;
  if (bitset == 0) return -EINVAL;
  uint32_t value;
  if (CopyInObj(task, addr, &value) < 0) return -EFAULT;
  if (value != expected) return -EAGAIN;
  auto key = task.mm().FileOffsetOf(addr);
  if (!key) return -EFAULT;
  Waiter waiter{.bitset = bitset};
  auto& list = waiters_[*key];
  auto it = list.insert(list.end(), &waiter);
  int64_t result = 0;
  while (!waiter.woken) {
    if (deadline && std::chrono::steady_clock::now() >= *deadline) {
      result = -ETIMEDOUT;
      break;
    }
    int err = deadline ? waiter.queue.WaitUntil(task, *deadline) : waiter.queue.Wait(task);
    if (err < 0 && !waiter.woken) {
      result = -EINTR;
      break;
    }
  }
  if (!waiter.woken) {
    list.erase(it);
    if (list.empty()) waiters_.erase(*key);
  }
  return result;
}

int64_t FutexTable::Wake(Task& task, uint64_t addr, int count, uint32_t bitset) {
  if (addr % 4 != 0 || bitset == 0) return -EINVAL;
  auto key = task.mm().FileOffsetOf(addr);
  if (!key) return -EFAULT;
  auto found = waiters_.find(*key);
  if (found == waiters_.end()) return 0;
  int64_t woken = 0;
  auto& list = found->second;
  for (auto it = list.begin(); it != list.end() && woken < count;) {
    Waiter* w = *it;
    if (!(w->bitset & bitset)) {
      ++it;
      continue;
    }
    w->woken = true;
    w->queue.Notify();
    it = list.erase(it);
    ++woken;
  }
  if (list.empty()) waiters_.erase(found);
  return woken;
}

}  // namespace cocoon::kernel
