// Poll: check, register on every wait queue, re-check, sleep.
#include "kernel/vfs/poll.h"

#include <poll.h>

#include <chrono>
#include <memory>
#include <vector>

namespace cocoon::kernel::vfs {

namespace {
constexpr uint32_t kAlwaysReported = POLLERR | POLLHUP | POLLNVAL;

int CheckAll(std::span<PollItem> items) {
  int ready = 0;
  for (auto& item : items) {
    item.revents = item.file ? item.file->Readiness(item.events | kAlwaysReported) &
                                   (item.events | kAlwaysReported)
                             : POLLNVAL;
    if (item.revents) ++ready;
  }
  return ready;
}
}  // namespace

int Poll(std::span<PollItem> items, Deadline deadline) {
  int ready = CheckAll(items);
  if (ready || (deadline && *deadline <= std::chrono::steady_clock::now())) return ready;
  Waiter& waiter = Waiter::ForThisThread();
  std::vector<std::unique_ptr<WaitQueue::Entry>> entries;
  for (auto& item : items) {
    if (WaitQueue* q = item.file ? item.file->wait_queue() : nullptr) {
      entries.push_back(std::make_unique<WaitQueue::Entry>(*q, waiter, item.events | kAlwaysReported));
    }
  }
  for (;;) {
    waiter.Prepare();
    ready = CheckAll(items);
    if (ready) return ready;
    int err = waiter.Wait(deadline);
    if (err == -ETIMEDOUT) return CheckAll(items);
    if (err) return err;
  }
}

}  // namespace cocoon::kernel::vfs
