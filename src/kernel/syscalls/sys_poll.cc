// poll, ppoll, select and pselect6 over the vfs's readiness and wait queues.
#include <poll.h>
#include <sys/select.h>

#include <chrono>
#include <vector>

#include "kernel/syscalls/sys_file.h"
#include "kernel/syscalls/sys_file_util.h"
#include "kernel/vfs/poll.h"

namespace cocoon::kernel {

namespace {

using Clock = std::chrono::steady_clock;

// Linux's POLLIN_SET / POLLOUT_SET / POLLEX_SET for select.
constexpr uint32_t kSelectRead = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
constexpr uint32_t kSelectWrite = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
constexpr uint32_t kSelectExcept = POLLPRI;

vfs::ErrOr<vfs::Deadline> DeadlineFromTimespec(Task& task, uint64_t addr) {
  if (!addr) return vfs::Deadline();
  timespec ts{};
  if (CopyInObj(task, addr, &ts) < 0) return vfs::Fail(EFAULT);
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return vfs::Fail(EINVAL);
  return vfs::Deadline(Clock::now() + std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// Swaps in a temporary signal mask (ppoll/pselect6); when the wait was
// interrupted the old mask is restored after the handler runs, as sigsuspend.
class TemporaryMask {
 public:
  TemporaryMask(Task& task, uint64_t mask_addr, size_t size) : task_(task) {
    if (!mask_addr) return;
    if (size != sizeof(SigSet)) {
      error_ = -EINVAL;
      return;
    }
    SigSet mask = 0;
    if (CopyInObj(task, mask_addr, &mask) < 0) {
      error_ = -EFAULT;
      return;
    }
    old_ = task.blocked();
    task.set_blocked(mask);
  }
  int error() const { return error_; }
  void Finish(int64_t result) {
    if (!old_) return;
    if (result == -EINTR) {
      task_.saved_mask() = *old_;
    } else {
      task_.set_blocked(*old_);
    }
    old_.reset();
  }

 private:
  Task& task_;
  std::optional<SigSet> old_;
  int error_ = 0;
};

int64_t DoPoll(Task& task, VfsTaskFiles& files, uint64_t fds_addr, uint64_t nfds, vfs::Deadline deadline) {
  if (nfds > static_cast<uint64_t>(files.fds().max_fds())) return -EINVAL;
  std::vector<pollfd> fds(nfds);
  if (nfds && CopyIn(task, fds_addr, fds.data(), nfds * sizeof(pollfd)) < 0) return -EFAULT;
  std::vector<vfs::PollItem> items(nfds);
  for (size_t i = 0; i < nfds; ++i) {
    // A negative fd is skipped: never ready, revents 0.
    if (fds[i].fd >= 0) items[i].file = files.fds().Get(fds[i].fd);
    items[i].events = static_cast<uint16_t>(fds[i].events);
  }
  // Entries with a negative fd must not count as POLLNVAL: poll only the rest.
  std::vector<vfs::PollItem> live;
  std::vector<size_t> index;
  for (size_t i = 0; i < nfds; ++i) {
    if (fds[i].fd < 0) continue;
    live.push_back(items[i]);
    index.push_back(i);
  }
  PrepareToBlock(task);
  int ready = vfs::Poll(live, deadline);
  if (ready < 0) return ready;
  for (size_t i = 0; i < nfds; ++i) fds[i].revents = 0;
  for (size_t j = 0; j < live.size(); ++j) fds[index[j]].revents = static_cast<short>(live[j].revents);
  if (nfds && CopyOut(task, fds_addr, fds.data(), nfds * sizeof(pollfd)) < 0) return -EFAULT;
  return ready;
}

// The three fd_sets of select as bit vectors of `nfds` bits.
int64_t DoSelect(Task& task, VfsTaskFiles& files, int nfds, const uint64_t set_addrs[3], vfs::Deadline deadline) {
  if (nfds < 0 || nfds > files.fds().max_fds()) return -EINVAL;
  const size_t words = (static_cast<size_t>(nfds) + 63) / 64;
  std::vector<uint64_t> sets[3];
  for (int s = 0; s < 3; ++s) {
    sets[s].assign(words, 0);
    if (set_addrs[s] && words && CopyIn(task, set_addrs[s], sets[s].data(), words * 8) < 0) return -EFAULT;
  }
  constexpr uint32_t kMasks[3] = {kSelectRead, kSelectWrite, kSelectExcept};
  std::vector<vfs::PollItem> items;
  std::vector<int> item_fds;
  for (int fd = 0; fd < nfds; ++fd) {
    uint32_t events = 0;
    for (int s = 0; s < 3; ++s) {
      if (sets[s][fd / 64] & (uint64_t{1} << (fd % 64))) events |= kMasks[s];
    }
    if (!events) continue;
    vfs::Ref<vfs::FileDescription> file = files.fds().Get(fd);
    if (!file) return -EBADF;
    items.push_back({std::move(file), events, 0});
    item_fds.push_back(fd);
  }
  PrepareToBlock(task);
  int ready = vfs::Poll(items, deadline);
  if (ready < 0) return ready;
  for (auto& set : sets) std::fill(set.begin(), set.end(), 0);
  int64_t count = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    int fd = item_fds[i];
    for (int s = 0; s < 3; ++s) {
      if (!(items[i].events & kMasks[s] & items[i].revents)) continue;
      // POLLHUP/POLLERR only make an fd "ready" in the sets that asked.
      sets[s][fd / 64] |= uint64_t{1} << (fd % 64);
      ++count;
    }
  }
  for (int s = 0; s < 3; ++s) {
    if (set_addrs[s] && words && CopyOut(task, set_addrs[s], sets[s].data(), words * 8) < 0) return -EFAULT;
  }
  return count;
}

}  // namespace

int64_t SysPoll(Task& task, const SyscallArgs& args) {
  VfsTaskFiles* files = VfsFiles(task);
  if (!files) return -ENOSYS;
  int timeout_ms = args.Int(2);
  vfs::Deadline deadline;
  if (timeout_ms >= 0) deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  return DoPoll(task, *files, args.U64(0), args.U64(1), deadline);
}

int64_t SysPpoll(Task& task, const SyscallArgs& args) {
  VfsTaskFiles* files = VfsFiles(task);
  if (!files) return -ENOSYS;
  vfs::Deadline deadline = FILE_TRY(DeadlineFromTimespec(task, args.U64(2)));
  TemporaryMask mask(task, args.U64(3), args.Size(4));
  if (mask.error()) return mask.error();
  int64_t result = DoPoll(task, *files, args.U64(0), args.U64(1), deadline);
  mask.Finish(result);
  return result;
}

int64_t SysSelect(Task& task, const SyscallArgs& args) {
  VfsTaskFiles* files = VfsFiles(task);
  if (!files) return -ENOSYS;
  vfs::Deadline deadline;
  if (args.U64(4)) {
    timeval tv{};
    if (CopyInObj(task, args.U64(4), &tv) < 0) return -EFAULT;
    if (tv.tv_sec < 0 || tv.tv_usec < 0) return -EINVAL;
    deadline = Clock::now() + std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  }
  const uint64_t sets[3] = {args.U64(1), args.U64(2), args.U64(3)};
  return DoSelect(task, *files, args.Int(0), sets, deadline);
}

int64_t SysPselect6(Task& task, const SyscallArgs& args) {
  VfsTaskFiles* files = VfsFiles(task);
  if (!files) return -ENOSYS;
  vfs::Deadline deadline = FILE_TRY(DeadlineFromTimespec(task, args.U64(4)));
  // The sixth argument points at {const sigset_t* mask; size_t size}.
  struct {
    uint64_t mask;
    uint64_t size;
  } sigarg{};
  if (args.U64(5) && CopyInObj(task, args.U64(5), &sigarg) < 0) return -EFAULT;
  TemporaryMask mask(task, sigarg.mask, sigarg.size);
  if (mask.error()) return mask.error();
  const uint64_t sets[3] = {args.U64(1), args.U64(2), args.U64(3)};
  int64_t result = DoSelect(task, *files, args.Int(0), sets, deadline);
  mask.Finish(result);
  return result;
}

}  // namespace cocoon::kernel
