// Host cgroup layout detection and path resolution.
#include "cgroup/host.h"

#include <algorithm>

#include "base/file.h"
#include "cgroup/fs.h"

namespace cocoon::cgroup {

namespace {

// v1 controller names; other super options (rw, xattr, release_agent=...) are not controllers.
constexpr std::string_view kV1Controllers[] = {
    "cpu",      "cpuacct", "cpuset",     "memory",  "devices", "freezer", "net_cls",
    "net_prio", "blkio",   "perf_event", "hugetlb", "pids",    "rdma",    "misc"};

bool IsV1Controller(std::string_view opt) {
  return opt.starts_with("name=") || std::find(std::begin(kV1Controllers), std::end(kV1Controllers),
                                               opt) != std::end(kV1Controllers);
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string_view oct = s.substr(i + 1, 3);
      if (std::all_of(oct.begin(), oct.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::string JoinPath(std::string_view a, std::string_view b) {
  std::string out(a);
  while (!out.empty() && out.back() == '/') out.pop_back();
  std::string_view rest = b;
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!rest.empty()) out += "/" + std::string(rest);
  return out.empty() ? "/" : out;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

// `own` (a hierarchy path) relative to the mount's root, as runc's
// GetOwnCgroupPath does when the hierarchy is mounted from a sub-cgroup.
std::string OwnUnderMount(const CgroupMount& m, std::string own) {
  if (m.root != "/" && (own == m.root || own.starts_with(m.root + "/")))
    own = own.substr(m.root.size());
  return JoinPath(m.mount_point, own);
}

}  // namespace

std::string_view LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kV1:
      return "v1";
    case Layout::kV2:
      return "v2";
    case Layout::kHybrid:
      return "hybrid";
  }
  return "?";
}

Result<Layout> ParseLayout(std::string_view name) {
  for (Layout l : {Layout::kV1, Layout::kV2, Layout::kHybrid}) {
    if (LayoutName(l) == name) return l;
  }
  return std::unexpected(Errorf("cgroup: unknown layout \"{}\"", name));
}

const CgroupMount* HostInfo::V1Mount(std::string_view controller) const {
  for (const CgroupMount& m : mounts) {
    if (!m.v2 &&
        std::find(m.controllers.begin(), m.controllers.end(), controller) != m.controllers.end())
      return &m;
  }
  return nullptr;
}

const CgroupMount* HostInfo::V2Mount() const {
  for (const CgroupMount& m : mounts) {
    if (m.v2) return &m;
  }
  return nullptr;
}

Result<std::vector<CgroupMount>> ParseMountInfo(std::string_view text) {
  std::vector<CgroupMount> out;
  for (std::string_view line : Split(text, '\n')) {
    if (TrimSpace(line).empty()) continue;
    std::vector<std::string_view> f = Split(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 10 || dash == f.end() || f.end() - dash < 4)
      return std::unexpected(Errorf("cgroup: malformed mountinfo line \"{}\"", line));
    std::string_view fstype = dash[1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m{.mount_point = Unescape(f[4]), .root = Unescape(f[3]), .v2 = fstype == "cgroup2"};
    if (!m.v2) {
      for (std::string_view opt : Split(dash[3], ',')) {
        if (IsV1Controller(opt)) m.controllers.emplace_back(opt);
      }
      if (m.controllers.empty()) continue;
    }
    // The same hierarchy can be mounted twice (bind mounts): keep the first.
    bool seen = std::any_of(out.begin(), out.end(), [&](const CgroupMount& o) {
      return o.v2 == m.v2 && o.controllers == m.controllers;
    });
    if (!seen) out.push_back(std::move(m));
  }
  return out;
}

std::map<std::string, std::string> ParseProcCgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : Split(text, '\n')) {
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path(line.substr(c2 + 1));
    if (controllers.empty()) {
      out[""] = path;
      continue;
    }
    for (std::string_view c : Split(controllers, ',')) out[std::string(c)] = path;
  }
  return out;
}

Result<HostInfo> ReadHostInfo() {
  HostInfo host;
  host.mounts = TRY(ParseMountInfo(TRY(ReadFile("/proc/self/mountinfo"))));
  host.own = ParseProcCgroup(TRY(ReadFile("/proc/self/cgroup")));
  return host;
}

Result<Layout> DetectLayout(const HostInfo& host) {
  bool v1 = std::any_of(host.mounts.begin(), host.mounts.end(), [](const CgroupMount& m) {
    return !m.v2 && std::any_of(m.controllers.begin(), m.controllers.end(),
                                [](const std::string& c) { return !c.starts_with("name="); });
  });
  bool v2 = host.V2Mount() != nullptr;
  if (v1 && v2) return Layout::kHybrid;
  if (v1) return Layout::kV1;
  if (v2) return Layout::kV2;
  return std::unexpected(
      MakeError("cgroup: no cgroup file system is mounted (see /proc/self/mountinfo)"));
}

std::string CleanPath(std::string_view path) {
  bool absolute = path.starts_with('/');
  std::vector<std::string_view> parts;
  for (std::string_view part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();  // never above the base, absolute or not
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += "/";
    out += parts[i];
  }
  return out;
}

std::string InnerPath(const std::string& cgroups_path, const std::string& container_id) {
  std::string inner = CleanPath(cgroups_path);
  if (inner.empty() || inner == "/") return CleanPath(container_id);
  return inner;
}

Result<std::map<std::string, std::string>> ResolveV1Paths(const HostInfo& host,
                                                          const std::string& inner) {
  std::map<std::string, std::string> paths;
  for (const CgroupMount& m : host.mounts) {
    if (m.v2) continue;
    for (const std::string& controller : m.controllers) {
      if (inner.starts_with('/')) {
        paths[controller] = JoinPath(m.mount_point, inner);
        continue;
      }
      auto own = host.own.find(controller);
      std::string base = OwnUnderMount(m, own == host.own.end() ? "/" : own->second);
      paths[controller] = JoinPath(base, inner);
    }
  }
  if (paths.empty()) return std::unexpected(MakeError("cgroup: no cgroup v1 hierarchy is mounted"));
  return paths;
}

Result<std::string> ResolveV2Path(const HostInfo& host, const std::string& inner) {
  const CgroupMount* m = host.V2Mount();
  if (m == nullptr) return std::unexpected(MakeError("cgroup: no cgroup2 file system is mounted"));
  if (inner.starts_with('/')) return JoinPath(m->mount_point, inner);
  auto own = host.own.find("");
  std::string parent = Dirname(own == host.own.end() ? "/" : own->second);
  return JoinPath(OwnUnderMount(*m, parent), inner);
}

}  // namespace cocoon::cgroup
