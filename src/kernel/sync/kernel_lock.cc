// The one kernel mutex.
#include "kernel/sync/kernel_lock.h"

namespace cocoon::kernel {

std::mutex& KernelMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace cocoon::kernel
