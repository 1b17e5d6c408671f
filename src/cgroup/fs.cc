// Cgroup file helpers.
#include "cgroup/fs.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <limits>
#include <thread>

#include "base/file.h"

namespace cocoon::cgroup {

namespace {

std::string Join(const std::string& dir, const std::string& file) { return dir + "/" + file; }

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// Sub-directories (child cgroups) of `dir`.
Result<std::vector<std::string>> ChildDirs(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::unexpected(ErrnoError(fmt::format("opening {}", dir)));
  std::vector<std::string> out;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") out.push_back(Join(dir, e->d_name));
  }
  ::closedir(d);
  return out;
}

// rmdir with a short retry on EBUSY: the kernel may still be tearing down
// tasks that were just killed. ENOENT counts as success.
Result<> RmdirRetry(const std::string& path) {
  auto delay = std::chrono::milliseconds(10);
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY || attempt == 5)
      return std::unexpected(ErrnoError(fmt::format("removing cgroup {}", path)));
    std::this_thread::sleep_for(delay);
    delay *= 2;
  }
}

Result<> RemoveTree(const std::string& path) {
  auto children = ChildDirs(path);
  if (!children) {
    if (children.error().code() == ENOENT) return {};
    return std::unexpected(children.error());
  }
  for (const std::string& child : *children) TRY(RemoveTree(child));
  return RmdirRetry(path);
}

}  // namespace

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

Result<> WriteControl(const std::string& dir, const std::string& file, std::string_view value) {
  std::string path = Join(dir, file);
  return WithContext(WriteFile(path, value),
                     fmt::format("cgroup: setting {} to \"{}\"", path, value));
}

Result<std::string> ReadControl(const std::string& dir, const std::string& file) {
  std::string text = TRY_CTX(ReadFile(Join(dir, file)), "cgroup");
  return std::string(TrimSpace(text));
}

std::optional<uint64_t> ParseUint(std::string_view text) {
  text = TrimSpace(text);
  if (text == "max") return std::numeric_limits<uint64_t>::max();
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

Result<uint64_t> ReadUint(const std::string& dir, const std::string& file) {
  std::string text = TRY(ReadControl(dir, file));
  auto v = ParseUint(text);
  if (!v) return std::unexpected(Errorf("cgroup: {}/{}: not a number: \"{}\"", dir, file, text));
  return *v;
}

Result<std::optional<uint64_t>> ReadUintIfExists(const std::string& dir, const std::string& file) {
  if (!ControlExists(dir, file)) return std::optional<uint64_t>();
  return std::optional<uint64_t>(TRY(ReadUint(dir, file)));
}

bool ControlExists(const std::string& dir, const std::string& file) {
  return ::access(Join(dir, file).c_str(), F_OK) == 0;
}

std::map<std::string, uint64_t> ParseFlatKeyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (std::string_view line : Split(text, '\n')) {
    line = TrimSpace(line);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    if (auto v = ParseUint(line.substr(space + 1))) out[std::string(line.substr(0, space))] = *v;
  }
  return out;
}

std::vector<uint64_t> ParseUintList(std::string_view text) {
  std::vector<uint64_t> out;
  for (std::string_view field : Split(TrimSpace(text), ' ')) {
    if (auto v = ParseUint(field)) out.push_back(*v);
  }
  return out;
}

Result<std::vector<uint16_t>> ParseCpuList(std::string_view text) {
  std::vector<uint16_t> out;
  text = TrimSpace(text);
  if (text.empty()) return out;
  for (std::string_view range : Split(text, ',')) {
    std::vector<std::string_view> ends = Split(range, '-');
    auto lo = ParseUint(ends[0]);
    auto hi = ends.size() == 2 ? ParseUint(ends[1]) : lo;
    if (ends.size() > 2 || !lo || !hi || *lo > *hi || *hi > 0xffff)
      return std::unexpected(Errorf("cgroup: bad cpu list \"{}\"", text));
    for (uint64_t i = *lo; i <= *hi; ++i) out.push_back(static_cast<uint16_t>(i));
  }
  return out;
}

std::string TopMissingDir(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return std::string();
  std::string top = path;
  while (true) {
    std::string parent = Parent(top);
    if (parent == "/" || ::stat(parent.c_str(), &st) == 0) break;
    top = parent;
  }
  return top;
}

Result<std::string> MakeCgroupDirs(const std::string& path) {
  std::string top = TopMissingDir(path);
  if (top.empty()) return top;
  TRY_CTX(MakeDirs(path), "cgroup: creating");
  return top;
}

Result<> RemoveCgroupDirs(const std::string& path, const std::string& top) {
  TRY(RemoveTree(path));
  if (top.empty() || top == path || path.compare(0, top.size() + 1, top + "/") != 0) return {};
  // Parents we created may now be shared by other containers: keep them if so.
  for (std::string dir = Parent(path); dir.size() >= top.size(); dir = Parent(dir)) {
    if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) break;
    if (dir == top) break;
  }
  return {};
}

Result<std::vector<pid_t>> ReadPidsRecursive(const std::string& dir) {
  std::string text = TRY(ReadControl(dir, "cgroup.procs"));
  std::vector<pid_t> pids;
  for (std::string_view line : Split(text, '\n')) {
    if (auto v = ParseUint(line)) pids.push_back(static_cast<pid_t>(*v));
  }
  for (const std::string& child : TRY(ChildDirs(dir))) {
    for (pid_t pid : TRY(ReadPidsRecursive(child))) pids.push_back(pid);
  }
  return pids;
}

}  // namespace cocoon::cgroup
