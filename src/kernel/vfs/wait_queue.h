// Blocking for file operations (pipes, poll): a per-thread Waiter that can be
// woken or interrupted, and WaitQueues that files notify.
//
// Defined here because kernel-core's sync/ did not exist when the vfs was
// written; the interrupt hook is the per-task primitive DESIGN.md asks for:
// the core keeps &Waiter::ForThisThread() of each task's host thread and calls
// Interrupt() to deliver a signal, SIGKILL or a checkpoint stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>

namespace cocoon::kernel::vfs {

using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// Called around every sleep of one host thread. The core sets them on task
// threads to drop its kernel lock while the task blocks in the vfs (and take
// it back after), so other tasks can run and wake this one.
struct SleepHooks {
  void (*before_sleep)() = nullptr;
  void (*after_sleep)() = nullptr;
};
void SetThreadSleepHooks(SleepHooks hooks);

// Runs this thread's sleep hooks around a scope that may block outside a
// Waiter (a blocking host call such as a read from the host's stdin).
class SleepScope {
 public:
  SleepScope();
  ~SleepScope();
  SleepScope(const SleepScope&) = delete;
  SleepScope& operator=(const SleepScope&) = delete;
};

class Waiter {
 public:
  virtual ~Waiter() = default;

  // The waiter of the calling host thread (one host thread per guest task):
  // the one installed with SetForThisThread, else a condition-variable one.
  static Waiter& ForThisThread();
  // Installs `waiter` (not owned; null restores the default) for this thread.
  // The kernel installs one that sleeps on its own wait queues, so blocking
  // in the vfs releases the kernel lock and a signal for the task ends it.
  static void SetForThisThread(Waiter* waiter);

  // Forgets earlier wakeups; call before testing the condition you wait for,
  // so a wakeup between the test and Wait() is not lost.
  virtual void Prepare();
  // Blocks until Notify() since Prepare(), Interrupt(), or the deadline.
  // Returns 0, -EINTR or -ETIMEDOUT.
  virtual int Wait(Deadline deadline = std::nullopt);

  virtual void Notify();
  // Makes Wait() return -EINTR now and until ClearInterrupt() (a signal stays
  // pending until the task handles it).
  virtual void Interrupt();
  virtual void ClearInterrupt();
  virtual bool interrupted() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
  bool interrupted_ = false;
};

// Waiters interested in events (POLLIN, POLLOUT...) of one object.
class WaitQueue {
 public:
  // Registration for the lifetime of this object (RAII; remove on every path).
  class Entry {
   public:
    Entry(WaitQueue& queue, Waiter& waiter, uint32_t events);
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;
    ~Entry();

   private:
    WaitQueue& queue_;
    std::list<std::pair<Waiter*, uint32_t>>::iterator it_;
  };

  // Wakes every waiter interested in any of `events`.
  void Notify(uint32_t events);

 private:
  std::mutex mu_;
  std::list<std::pair<Waiter*, uint32_t>> waiters_;
};

}  // namespace cocoon::kernel::vfs
