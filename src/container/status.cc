// Status computation and state JSON.
#include "container/status.h"

#include "base/file.h"
#include "cgroup/manager.h"
#include "container/process_info.h"
#include "oci/state.h"

namespace cocoon::container {

std::string_view StatusName(Status status) {
  switch (status) {
    case Status::kCreating: return "creating";
    case Status::kCreated: return "created";
    case Status::kRunning: return "running";
    case Status::kPaused: return "paused";
    case Status::kStopped: return "stopped";
  }
  return "unknown";
}

namespace {

bool CgroupFrozen(const Record& record) {
  if (record.cgroup.is_null()) return false;
  auto manager = cgroup::Manager::Load(record.cgroup);
  if (!manager) return false;
  auto frozen = (*manager)->IsFrozen();
  return frozen && *frozen;
}

}  // namespace

Status ComputeStatus(const Store& store, const Record& record) {
  bool alive = ProcessAlive(record.pid, record.pid_start_time);
  if (!record.create_finished) return alive ? Status::kCreating : Status::kStopped;
  if (!alive) return Status::kStopped;
  if (PathExists(store.FifoPath(record.id))) return Status::kCreated;
  if (CgroupFrozen(record)) return Status::kPaused;
  return Status::kRunning;
}

nlohmann::json HookState(const Record& record, Status status) {
  oci::State state;
  state.oci_version = record.spec.value("ociVersion", "");
  state.id = record.id;
  state.status = std::string(StatusName(status));
  state.pid = status == Status::kStopped ? 0 : record.pid;
  state.bundle = record.bundle;
  state.annotations = record.annotations;
  return oci::StateToJson(state);
}

nlohmann::ordered_json CliState(const Record& record, Status status) {
  nlohmann::ordered_json out;
  out["ociVersion"] = record.spec.value("ociVersion", "");
  out["id"] = record.id;
  out["pid"] = status == Status::kStopped ? 0 : record.pid;
  out["status"] = StatusName(status);
  out["bundle"] = record.bundle;
  out["rootfs"] = record.rootfs;
  out["created"] = record.created;
  if (!record.annotations.empty()) out["annotations"] = record.annotations;
  out["owner"] = record.owner;
  return out;
}

}  // namespace cocoon::container
