// Clocks and sleeps: host clocks read directly; sleeps are interruptible waits.
#include <sys/time.h>
#include <time.h>

#include <cerrno>
#include <chrono>

#include "kernel/signal/signal.h"
#include "kernel/syscalls/handlers.h"
#include "kernel/task/task.h"

namespace cocoon::kernel {
namespace {

bool ValidClock(int id) { return id >= 0 && id <= CLOCK_TAI && id != 8 && id != 9; }

// Sleeps until `deadline` on the monotonic clock; writes the remainder on interrupt.
int64_t SleepUntil(Task& task, std::chrono::steady_clock::time_point deadline, uint64_t rem_addr) {
  WaitQueue never;
  while (std::chrono::steady_clock::now() < deadline) {
    if (never.WaitUntil(task, deadline) < 0) {
      if (rem_addr) {
        auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() < 0) left = {};
        timespec rem{.tv_sec = static_cast<time_t>(left.count() / 1000000000),
                     .tv_nsec = static_cast<long>(left.count() % 1000000000)};
        CopyOutObj(task, rem_addr, rem);
      }
      return -EINTR;
    }
  }
  return 0;
}

int64_t ReadTimespec(Task& task, uint64_t addr, std::chrono::nanoseconds* out) {
  timespec ts;
  if (CopyInObj(task, addr, &ts) < 0) return -EFAULT;
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return -EINVAL;
  *out = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  return 0;
}

}  // namespace

int64_t SysClockGettime(Task& task, const SyscallArgs& args) {
  timespec ts;
  if (clock_gettime(args.Int(0), &ts) != 0) return -errno;
  return CopyOutObj(task, args.U64(1), ts);
}

int64_t SysClockGetres(Task& task, const SyscallArgs& args) {
  timespec ts;
  if (clock_getres(args.Int(0), &ts) != 0) return -errno;
  if (!args.U64(1)) return 0;
  return CopyOutObj(task, args.U64(1), ts);
}

int64_t SysGettimeofday(Task& task, const SyscallArgs& args) {
  timeval tv;
  gettimeofday(&tv, nullptr);
  if (args.U64(0)) return CopyOutObj(task, args.U64(0), tv);
  return 0;
}

int64_t SysTime(Task& task, const SyscallArgs& args) {
  time_t now = time(nullptr);
  if (args.U64(0) && CopyOutObj(task, args.U64(0), now) < 0) return -EFAULT;
  return now;
}

int64_t SysNanosleep(Task& task, const SyscallArgs& args) {
  std::chrono::nanoseconds d;
  if (int64_t err = ReadTimespec(task, args.U64(0), &d); err < 0) return err;
  return SleepUntil(task, std::chrono::steady_clock::now() + d, args.U64(1));
}

int64_t SysClockNanosleep(Task& task, const SyscallArgs& args) {
  int clock = args.Int(0);
  if (!ValidClock(clock)) return -EINVAL;
  std::chrono::nanoseconds d;
  if (int64_t err = ReadTimespec(task, args.U64(2), &d); err < 0) return err;
  if (args.Int(1) & TIMER_ABSTIME) {
    timespec now;
    clock_gettime(clock, &now);
    d -= std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
    int64_t r = SleepUntil(task, std::chrono::steady_clock::now() + d, 0);
    return r == -EINTR ? -EINTR : r;
  }
  int64_t r = SleepUntil(task, std::chrono::steady_clock::now() + d, args.U64(3));
  return r == -EINTR ? -EINTR : r;
}

}  // namespace cocoon::kernel
