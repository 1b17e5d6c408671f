// Waiter and WaitQueue: condition-variable based blocking with interrupts.
#include "kernel/vfs/wait_queue.h"

#include <cerrno>

namespace cocoon::kernel::vfs {

namespace {
thread_local SleepHooks sleep_hooks;
}  // namespace

SleepScope::SleepScope() {
  if (sleep_hooks.before_sleep) sleep_hooks.before_sleep();
}

SleepScope::~SleepScope() {
  if (sleep_hooks.after_sleep) sleep_hooks.after_sleep();
}

void SetThreadSleepHooks(SleepHooks hooks) { sleep_hooks = hooks; }

namespace {
thread_local Waiter* installed_waiter = nullptr;
}  // namespace

Waiter& Waiter::ForThisThread() {
  static thread_local Waiter waiter;
  return installed_waiter ? *installed_waiter : waiter;
}

void Waiter::SetForThisThread(Waiter* waiter) { installed_waiter = waiter; }

void Waiter::Prepare() {
  std::lock_guard lock(mu_);
  notified_ = false;
}

int Waiter::Wait(Deadline deadline) {
  // Outer hook first: the kernel lock is dropped before taking mu_ and taken
  // back after releasing it, so the two locks never nest the other way round.
  SleepScope scope;
  std::unique_lock lock(mu_);
  auto done = [this] { return notified_ || interrupted_; };
  if (deadline) {
    if (!cv_.wait_until(lock, *deadline, done)) return -ETIMEDOUT;
  } else {
    cv_.wait(lock, done);
  }
  if (interrupted_) return -EINTR;
  notified_ = false;
  return 0;
}

void Waiter::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void Waiter::Interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

void Waiter::ClearInterrupt() {
  std::lock_guard lock(mu_);
  interrupted_ = false;
}

bool Waiter::interrupted() const {
  std::lock_guard lock(mu_);
  return interrupted_;
}

WaitQueue::Entry::Entry(WaitQueue& queue, Waiter& waiter, uint32_t events) : queue_(queue) {
  std::lock_guard lock(queue_.mu_);
  it_ = queue_.waiters_.emplace(queue_.waiters_.end(), &waiter, events);
}

WaitQueue::Entry::~Entry() {
  std::lock_guard lock(queue_.mu_);
  queue_.waiters_.erase(it_);
}

void WaitQueue::Notify(uint32_t events) {
  std::lock_guard lock(mu_);
  for (auto& [waiter, mask] : waiters_) {
    if (mask & events) waiter->Notify();
  }
}

}  // namespace cocoon::kernel::vfs
