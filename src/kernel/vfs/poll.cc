// Poll: check, register on every wait queue, re-check, sleep.
#include "kernel/vfs/poll.h"

#include <poll.h>

#include <chrono>
#include <memory>
#include <vector>

namespace cocoon::kernel::vfs {

namespace {
constexpr uint32_t kAlwaysReported = POLLERR | POLLHUP | POLLNVAL;
// Host fds (the sandbox's stdio and console) have no wait queue to wake a
// poller: a poll that includes one looks again this often.
constexpr auto kHostFdRecheck = std::chrono::milliseconds(10);

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
  bool host_fds = false;
  for (auto& item : items) {
    if (WaitQueue* q = item.file ? item.file->wait_queue() : nullptr) {
      entries.push_back(std::make_unique<WaitQueue::Entry>(*q, waiter, item.events | kAlwaysReported));
    }
    host_fds = host_fds || (item.file && item.file->HostFd() >= 0);
  }
  for (;;) {
    waiter.Prepare();
    ready = CheckAll(items);
    if (ready) return ready;
    Deadline wake = deadline;
    if (host_fds) {
      auto recheck = std::chrono::steady_clock::now() + kHostFdRecheck;
      if (!wake || recheck < *wake) wake = recheck;
    }
    int err = waiter.Wait(wake);
    if (err == -ETIMEDOUT && wake == deadline) return CheckAll(items);
    if (err && err != -ETIMEDOUT) return err;
  }
}

}  // namespace cocoon::kernel::vfs
