// futex(2): WAIT, WAKE and their BITSET forms (private or shared alike).
#include <linux/futex.h>
#include <time.h>

#include <cerrno>
#include <chrono>

#include "kernel/signal/signal.h"
#include "kernel/sync/futex.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {
namespace {

// A relative (FUTEX_WAIT) or absolute (the BITSET forms) timeout as a steady deadline.
int64_t Deadline(Task& task, uint64_t addr, bool absolute, bool realtime,
                 std::optional<std::chrono::steady_clock::time_point>* out) {
  if (addr == 0) return 0;
  timespec ts;
  if (CopyInObj(task, addr, &ts) < 0) return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return -EINVAL;
  auto d = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  if (absolute) {
    timespec now;
    clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
    d -= std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
  }
  *out = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
  return 0;
}

}  // namespace

int64_t SysFutex(Task& task, const SyscallArgs& args) {
  int op = args.Int(1) & FUTEX_CMD_MASK;
  bool realtime = args.Int(1) & FUTEX_CLOCK_REALTIME;
  uint64_t addr = args.U64(0);
  auto val = static_cast<uint32_t>(args.U64(2));
  switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      std::optional<std::chrono::steady_clock::time_point> deadline;
      if (int64_t err = Deadline(task, args.U64(3), op == FUTEX_WAIT_BITSET, realtime, &deadline); err < 0) {
        return err;
      }
      uint32_t bitset = op == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : static_cast<uint32_t>(args.U64(5));
      int64_t r = Futexes().Wait(task, addr, val, bitset, deadline);
      return r == -EINTR ? -kErestartSys : r;
    }
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      uint32_t bitset = op == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : static_cast<uint32_t>(args.U64(5));
      return Futexes().Wake(task, addr, static_cast<int>(val), bitset);
    }
    default:
      return -ENOSYS;
  }
}

}  // namespace cocoon::kernel
