// The cgroup manager: one interface over the v1, v2 and hybrid backends,
// chosen once from the host's mounts. Used by native containers and to confine
// the sandbox.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "cgroup/host.h"
#include "oci/spec.h"

namespace cocoon::cgroup {

class Manager {
 public:
  // Resolves where the container's cgroups live; creates nothing yet. cgroups_path as in the OCI
  // spec (absolute, or relative as runc treats it; empty means runc's default for `container_id`).
  static Result<std::unique_ptr<Manager>> Create(const std::string& cgroups_path,
                                                 const std::string& container_id);
  // As Create, for a described host (tests, or a caller that already read it).
  static Result<std::unique_ptr<Manager>> Create(const std::string& cgroups_path,
                                                 const std::string& container_id,
                                                 const HostInfo& host);
  // Rebuilds a manager from Save()'s output (kept in the container's state file).
  static Result<std::unique_ptr<Manager>> Load(const nlohmann::json& saved);
  virtual ~Manager();

  virtual Layout layout() const = 0;
  virtual nlohmann::json Save() const = 0;
  // Creates the cgroup dirs (all controllers) and moves `pid` in; pid <= 0
  // only creates them.
  virtual Result<> Apply(pid_t pid) = 0;
  // Notes which dirs Apply is about to create, so that a Save() taken before
  // Apply lets Destroy remove them even if the caller dies halfway through.
  virtual void PlanCreation() = 0;
  // Writes limits; a limit for a controller the host lacks is an error naming
  // the controller; unset fields are left untouched. Creates the dirs if Apply
  // has not run yet.
  virtual Result<> Set(const oci::Resources& r) = 0;
  // Both wait until the cgroup is really frozen / thawed.
  virtual Result<> Freeze() = 0;
  virtual Result<> Thaw() = 0;
  virtual Result<bool> IsFrozen() const = 0;
  // All pids in the container's cgroup, sub-cgroups included.
  virtual Result<std::vector<pid_t>> Pids() const = 0;
  // The "data" object of `runc events --stats`.
  virtual Result<nlohmann::json> Stats() const = 0;
  // rmdir everything Apply created (sub-cgroups too), retrying EBUSY briefly.
  // The processes must be gone (killed and reaped) first.
  virtual Result<> Destroy() = 0;
  // controller -> host dir ("" key for the v2 unified dir).
  virtual std::map<std::string, std::string> Paths() const = 0;
  // How many times the OOM killer killed a task in this cgroup (events "oom").
  virtual Result<uint64_t> OomKillCount() const = 0;
};

}  // namespace cocoon::cgroup
