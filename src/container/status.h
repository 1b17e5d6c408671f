// A container's status, computed as runc does from what is true now: is the
// recorded init alive (same start time), has it passed the exec FIFO, is its
// cgroup frozen. And the state JSON shapes built from it.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "container/store.h"

namespace cocoon::container {

enum class Status { kCreating, kCreated, kRunning, kPaused, kStopped };

std::string_view StatusName(Status status);
Status ComputeStatus(const Store& store, const Record& record);

// The runtime spec's state object, given to hooks on stdin.
nlohmann::json HookState(const Record& record, Status status);
// What `state` and `list --format json` print: the spec's state plus runc's
// extra fields (rootfs, created, owner).
nlohmann::ordered_json CliState(const Record& record, Status status);

}  // namespace cocoon::container
