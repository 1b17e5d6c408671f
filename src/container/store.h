// The metadata store under --root: one directory per container holding its
// state file (written atomically), a lock file that every command holds, and
// the exec FIFO between create and start.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::container {

// What Cocoon remembers about one container.
struct Record {
  std::string id;
  std::string bundle;  // absolute
  std::string rootfs;  // absolute
  std::string platform = "native";
  pid_t pid = 0;                // the container's init (or sandbox) on the host
  uint64_t pid_start_time = 0;  // guards against pid reuse
  std::string created;          // RFC 3339, UTC
  std::string owner;
  bool create_finished = false;  // false while (or if) `create` did not reach its end
  nlohmann::json cgroup;         // cgroup::Manager::Save()
  nlohmann::json spec;           // the spec the container was created with
  std::map<std::string, std::string> annotations;
};

nlohmann::json RecordToJson(const Record& record);
Result<Record> RecordFromJson(const nlohmann::json& json);

// An exclusive flock on a container's lock file, released on destruction.
class Lock {
 public:
  Lock() = default;
  explicit Lock(UniqueFd fd) : fd_(std::move(fd)) {}
  // A forked child shares the lock (flock belongs to the open file): it
  // must drop its copy, or the lock outlives the command.
  void CloseInChild() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

class Store {
 public:
  explicit Store(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string Dir(const std::string& id) const { return root_ + "/" + id; }
  std::string StatePath(const std::string& id) const { return Dir(id) + "/state.json"; }
  std::string FifoPath(const std::string& id) const { return Dir(id) + "/exec.fifo"; }

  // Makes the directory of a new container and locks it. Fails when the id is
  // taken: `container with id exists: ID`.
  Result<Lock> CreateAndLock(const std::string& id);
  // Locks an existing container: `container "ID" does not exist` otherwise.
  Result<Lock> LockExisting(const std::string& id);

  Result<Record> Load(const std::string& id) const;
  Result<> Save(const Record& record) const;
  // Removes the container's directory and everything in it.
  Result<> Remove(const std::string& id) const;
  // Removes the directory of a container whose `create` died before its
  // first state was saved (only the lock is left); true if it did.
  Result<bool> RemoveUnfinished(const std::string& id);
  // Ids of every container directory, sorted.
  Result<std::vector<std::string>> List() const;

 private:
  Result<Lock> LockDir(const std::string& id) const;
  std::string root_;
};

}  // namespace cocoon::container
