// Wait queues: how a task sleeps until something changes (a child exits, a pipe
// gets data), interruptibly: a signal for the task, or SIGKILL, wakes it.
#pragma once

#include <chrono>
#include <condition_variable>

namespace cocoon::kernel {

class Task;

class WaitQueue {
 public:
  // Sleeps until Notify() or until `task` is interrupted. Call with the kernel
  // lock held, in a loop that re-checks the condition:
  //   while (!ready) { if (int err = queue.Wait(task)) return err; }
  // Returns 0 when woken, -EINTR when a signal or a kill interrupted the sleep
  // (the caller may turn it into -ERESTARTSYS for SA_RESTART semantics).
  int Wait(Task& task);
  // As Wait, but also returns 0 at `deadline` (the caller checks the clock).
  int WaitUntil(Task& task, std::chrono::steady_clock::time_point deadline);
  // Sleeps until Notify(); only a kill ends it early (job-control stops use it:
  // a stopped task ignores everything but SIGKILL and SIGCONT).
  void WaitKillable(Task& task);
  // Wakes every sleeper. Call with the kernel lock held.
  void Notify();

 private:
  std::condition_variable_any cv_;
};

}  // namespace cocoon::kernel
