// Interruptible sleeping on the kernel lock.
#include "kernel/sync/wait_queue.h"

#include <cerrno>

#include "kernel/sync/kernel_lock.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {

int WaitQueue::Wait(Task& task) {
  if (task.Interrupted()) return -EINTR;
  task.set_waiting_on(this);
  cv_.wait(KernelMutex());
  task.set_waiting_on(nullptr);
  return task.Interrupted() ? -EINTR : 0;
}

int WaitQueue::WaitUntil(Task& task, std::chrono::steady_clock::time_point deadline) {
  if (task.Interrupted()) return -EINTR;
  task.set_waiting_on(this);
  cv_.wait_until(KernelMutex(), deadline);
  task.set_waiting_on(nullptr);
  return task.Interrupted() ? -EINTR : 0;
}

void WaitQueue::WaitKillable(Task& task) {
  if (task.killed()) return;
  task.set_waiting_on(this);
  cv_.wait(KernelMutex());
  task.set_waiting_on(nullptr);
}

void WaitQueue::Notify() { cv_.notify_all(); }

}  // namespace cocoon::kernel
