// poll(2)/select(2) over file descriptions: readiness plus blocking on the
// files' wait queues until one is ready, a timeout, or an interrupt.
#pragma once

#include <cstdint>
#include <span>

#include "kernel/vfs/file.h"
#include "kernel/vfs/wait_queue.h"

namespace cocoon::kernel::vfs {

struct PollItem {
  Ref<FileDescription> file;  // null: the fd was not open (POLLNVAL)
  uint32_t events = 0;
  uint32_t revents = 0;  // filled by Poll
};

// Fills revents; returns how many items are ready (POLLERR, POLLHUP, POLLNVAL
// always count), 0 on timeout, or -EINTR when the waiter is interrupted.
// `deadline` nullopt waits forever; a past deadline only checks.
int Poll(std::span<PollItem> items, Deadline deadline);

}  // namespace cocoon::kernel::vfs
