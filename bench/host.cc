// Host inspection and clean-up for the benchmark.
#include "bench/host.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "base/file.h"

namespace cocoon::bench {
namespace {

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";
constexpr char kExtraSearchPath[] = "/usr/local/sbin:/usr/sbin:/sbin";

struct MountLine {
  std::string mount_point, fs_type;
};

// mountinfo: "id parent dev root mount-point options [optional...] - type source super".
std::vector<MountLine> ParseMountinfo(const std::string& text) {
  std::vector<MountLine> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field, mount_point;
    for (int i = 0; i < 5 && fields >> field; ++i) mount_point = field;
    while (fields >> field && field != "-") {
    }
    std::string fs_type;
    if (fields >> fs_type) out.push_back({mount_point, fs_type});
  }
  return out;
}

bool OnCgroupFs(const std::string& path) {
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) < 0) return false;
  return fs.f_type == CGROUP_SUPER_MAGIC || fs.f_type == CGROUP2_SUPER_MAGIC;
}

// Runs in the forked child of RemoveShadowedCgroupDirs; one line per error.
std::string RemoveShadowedInChild(const CgroupLayout& layout, const std::string& relative) {
  std::string errors;
  if (auto entered = EnterPrivateMountNs(layout.hybrid_v2_mounts); !entered)
    return entered.error().message() + "\n";
  for (const std::string& mount_point : layout.hybrid_v2_mounts) {
    std::string path = mount_point + relative;
    struct statfs fs {};
    if (::statfs(path.c_str(), &fs) < 0) continue;  // nothing was written there
    if (fs.f_type != TMPFS_MAGIC) {
      errors += fmt::format("{}: not tmpfs after unmounting {}, left alone\n", path, mount_point);
      continue;
    }
    if (auto removed = RemoveTree(path); !removed) errors += removed.error().message() + "\n";
  }
  return errors;
}

bool UnderCgroupRoot(const std::string& path) {
  std::string_view root = kCgroupRoot;
  return path == root || (path.starts_with(root) && path[root.size()] == '/');
}

}  // namespace

CgroupLayout ParseCgroupLayout(const std::string& mountinfo) {
  CgroupLayout layout;
  bool root_is_v2 = false;
  std::vector<std::string> v2_below;
  for (const MountLine& m : ParseMountinfo(mountinfo)) {
    if (!UnderCgroupRoot(m.mount_point)) continue;
    bool v1 = m.fs_type == "cgroup", v2 = m.fs_type == "cgroup2";
    if (!v1 && !v2) continue;
    layout.hierarchies.push_back(m.mount_point);
    if (v2 && m.mount_point == kCgroupRoot) root_is_v2 = true;
    if (v2 && m.mount_point != kCgroupRoot) v2_below.push_back(m.mount_point);
  }
  if (root_is_v2) {
    layout.kind = "unified";
  } else if (!v2_below.empty()) {
    layout.kind = "hybrid";
    layout.hybrid_v2_mounts = v2_below;
  } else {
    layout.kind = "legacy";
  }
  return layout;
}

Result<CgroupLayout> DetectCgroupLayout() {
  std::string mountinfo = TRY(ReadFile("/proc/self/mountinfo"));
  return ParseCgroupLayout(mountinfo);
}

std::vector<Error> RemoveCgroupTree(const CgroupLayout& layout, const std::string& relative) {
  namespace fs = std::filesystem;
  std::vector<Error> errors;
  for (const std::string& hierarchy : layout.hierarchies) {
    fs::path top = hierarchy + relative;
    std::error_code ec;
    if (!fs::is_directory(top, ec) || !OnCgroupFs(top.native())) continue;
    // Control files cannot (and need not) be unlinked: rmdir directories only.
    std::vector<fs::path> dirs = {top};
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
      return a.native().size() > b.native().size();
    });
    for (const fs::path& dir : dirs) {
      if (::rmdir(dir.c_str()) < 0 && errno != ENOENT)
        errors.push_back(ErrnoError(fmt::format("rmdir {}", dir.native())));
    }
  }
  return errors;
}

std::vector<Error> RemoveShadowedCgroupDirs(const CgroupLayout& layout,
                                            const std::string& relative) {
  if (layout.hybrid_v2_mounts.empty()) return {};
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return {ErrnoError("pipe2")};
  UniqueFd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  // The driver is single-threaded, so the child may allocate.
  pid_t pid = ::fork();
  if (pid < 0) return {ErrnoError("fork")};
  if (pid == 0) {
    read_end.reset();
    std::string errors = RemoveShadowedInChild(layout, relative);
    (void)WriteAll(write_end.get(), errors);
    ::_exit(errors.empty() ? 0 : 1);
  }
  write_end.reset();
  std::string text = ReadFd(read_end.get()).value_or("");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::vector<Error> errors;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) errors.push_back(MakeError("shadowed cgroup dirs: " + line));
  if (errors.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    errors.push_back(Errorf("shadowed cgroup dirs: helper ended with status {}", status));
  return errors;
}

Result<> EnterPrivateMountNs(const std::vector<std::string>& unmount) {
  if (::unshare(CLONE_NEWNS) < 0) return std::unexpected(ErrnoError("unshare(CLONE_NEWNS)"));
  // Before any umount: while / is shared, an umount here would reach the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0)
    return std::unexpected(ErrnoError("making / rslave"));
  for (const std::string& path : unmount) {
    if (::umount2(path.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return std::unexpected(ErrnoError(fmt::format("unmounting {}", path)));
  }
  return {};
}

Result<> RemoveTree(const std::string& path) {
  if (path.empty() || path == "/") return std::unexpected(Errorf("refusing to remove '{}'", path));
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec)
    return std::unexpected(Error(ec.value(), fmt::format("removing {}: {}", path, ec.message())));
  return {};
}

Result<std::string> FindExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) < 0) return std::unexpected(ErrnoError(name));
    return std::filesystem::absolute(name).string();
  }
  const char* env_path = std::getenv("PATH");
  std::string search =
      fmt::format("{}:{}", env_path ? env_path : "/usr/bin:/bin", kExtraSearchPath);
  std::istringstream dirs(search);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::unexpected(Error(ENOENT, fmt::format("{}: not found on PATH", name)));
}

}  // namespace cocoon::bench
