// The kernel lock: one mutex over all kernel state for this first stage. A task's
// host thread holds it while it handles a syscall or delivers a signal, and drops
// it while guest code runs and while the task sleeps on a WaitQueue.
#pragma once

#include <mutex>

namespace cocoon::kernel {

std::mutex& KernelMutex();

// Drops the kernel lock for a host call that may block (a read from the host's
// stdin, say), and takes it back at scope exit.
class KernelUnlock {
 public:
  KernelUnlock() { KernelMutex().unlock(); }
  ~KernelUnlock() { KernelMutex().lock(); }
  KernelUnlock(const KernelUnlock&) = delete;
  KernelUnlock& operator=(const KernelUnlock&) = delete;
};

}  // namespace cocoon::kernel
