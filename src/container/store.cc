// The container metadata store.
#include "container/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.h"
#include "container/id.h"

namespace cocoon::container {

using nlohmann::json;

json RecordToJson(const Record& r) {
  return json{{"id", r.id},
              {"bundle", r.bundle},
              {"rootfs", r.rootfs},
              {"platform", r.platform},
              {"pid", r.pid},
              {"pid_start_time", r.pid_start_time},
              {"created", r.created},
              {"owner", r.owner},
              {"create_finished", r.create_finished},
              {"cgroup", r.cgroup},
              {"spec", r.spec},
              {"annotations", r.annotations}};
}

Result<Record> RecordFromJson(const json& j) {
  try {
    Record r;
    r.id = j.at("id").get<std::string>();
    r.bundle = j.at("bundle").get<std::string>();
    r.rootfs = j.at("rootfs").get<std::string>();
    r.platform = j.value("platform", "native");
    r.pid = j.at("pid").get<pid_t>();
    r.pid_start_time = j.at("pid_start_time").get<uint64_t>();
    r.created = j.at("created").get<std::string>();
    r.owner = j.value("owner", "");
    r.create_finished = j.at("create_finished").get<bool>();
    r.cgroup = j.value("cgroup", json());
    r.spec = j.value("spec", json());
    r.annotations = j.value("annotations", std::map<std::string, std::string>{});
    return r;
  } catch (const json::exception& e) {
    return std::unexpected(Errorf("malformed state: {}", e.what()));
  }
}

Result<Lock> Store::LockDir(const std::string& id) const {
  UniqueFd fd = TRY(OpenFile(Dir(id) + "/lock", O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError("locking container " + id));
  }
  return Lock(std::move(fd));
}

Result<Lock> Store::CreateAndLock(const std::string& id) {
  TRY(ValidateId(id));
  TRY(MakeDirs(root_, 0711));
  if (::mkdir(Dir(id).c_str(), 0711) < 0) {
    if (errno == EEXIST) return std::unexpected(Errorf("container with id \"{}\" already exists", id));
    return std::unexpected(ErrnoError("mkdir " + Dir(id)));
  }
  return LockDir(id);
}

Result<Lock> Store::LockExisting(const std::string& id) {
  TRY(ValidateId(id));
  auto missing = [&] { return std::unexpected(Errorf("container \"{}\" does not exist", id)); };
  if (!PathExists(Dir(id))) return missing();
  Lock lock = TRY(LockDir(id));
  // The holder before us may have deleted it (or died before writing state).
  if (!PathExists(StatePath(id))) return missing();
  return lock;
}

Result<Record> Store::Load(const std::string& id) const {
  std::string text = TRY(ReadFile(StatePath(id)));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return std::unexpected(Errorf("{}: malformed JSON", StatePath(id)));
  return WithContext(RecordFromJson(j), StatePath(id));
}

Result<> Store::Save(const Record& record) const {
  return WriteFileAtomic(StatePath(record.id), RecordToJson(record).dump());
}

namespace {

Result<> RemoveTree(int parent_fd, const char* name) {
  int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    if (errno != ENOTDIR && errno != ELOOP) return std::unexpected(ErrnoError(fmt::format("opening {}", name)));
    if (::unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
      return std::unexpected(ErrnoError(fmt::format("unlink {}", name)));
    return {};
  }
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return std::unexpected(ErrnoError(fmt::format("fdopendir {}", name)));
  }
  std::vector<std::string> entries;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") entries.emplace_back(n);
  }
  Result<> result;
  for (const auto& e : entries) {
    if (auto r = RemoveTree(::dirfd(dir), e.c_str()); !r && result) result = r;
  }
  ::closedir(dir);
  if (!result) return result;
  if (::unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return std::unexpected(ErrnoError(fmt::format("rmdir {}", name)));
  return {};
}

}  // namespace

Result<> Store::Remove(const std::string& id) const {
  return WithContext(RemoveTree(AT_FDCWD, Dir(id).c_str()), "removing state of " + id);
}

Result<bool> Store::RemoveUnfinished(const std::string& id) {
  TRY(ValidateId(id));
  if (!PathExists(Dir(id))) return false;
  // A create in progress holds the lock until it has saved the state.
  auto lock = LockDir(id);
  if (!lock) return PathExists(Dir(id)) ? std::unexpected(std::move(lock).error()) : Result<bool>(false);
  if (PathExists(StatePath(id))) return false;
  TRY(Remove(id));
  return true;
}

Result<std::vector<std::string>> Store::List() const {
  std::vector<std::string> ids;
  DIR* dir = ::opendir(root_.c_str());
  if (!dir) {
    if (errno == ENOENT) return ids;
    return std::unexpected(ErrnoError("opening " + root_));
  }
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (PathExists(StatePath(name))) ids.push_back(name);
  }
  ::closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace cocoon::container
