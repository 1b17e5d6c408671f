// mountinfo parsing (see proc(5)).
#include "rootfs/mountinfo.h"

#include <charconv>

#include "base/file.h"

namespace cocoon::rootfs {
namespace {

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    size_t space = line.find(' ');
    if (space != 0) out.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return out;
}

// The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string_view oct = s.substr(i + 1, 3);
      unsigned value = 0;
      auto [ptr, ec] = std::from_chars(oct.data(), oct.data() + oct.size(), value, 8);
      if (ec == std::errc() && ptr == oct.data() + 3) {
        out += static_cast<char>(value);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool ParseInt(std::string_view s, int* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Result<MountInfo> ParseLine(std::string_view line) {
  std::vector<std::string_view> f = SplitFields(line);
  // id parent major:minor root mount_point options [optional...] - type source super_options
  size_t dash = 6;
  while (dash < f.size() && f[dash] != "-") ++dash;
  MountInfo m;
  if (dash + 2 >= f.size() || !ParseInt(f[0], &m.id) || !ParseInt(f[1], &m.parent_id))
    return std::unexpected(Errorf("malformed mountinfo line \"{}\"", line));
  m.root = Unescape(f[3]);
  m.mount_point = Unescape(f[4]);
  m.options = f[5];
  for (size_t i = 6; i < dash; ++i) m.optional.emplace_back(f[i]);
  m.fs_type = f[dash + 1];
  m.source = Unescape(f[dash + 2]);
  if (dash + 3 < f.size()) m.super_options = f[dash + 3];
  return m;
}

}  // namespace

bool MountInfo::IsShared() const {
  for (const std::string& tag : optional) {
    if (tag.starts_with("shared:")) return true;
  }
  return false;
}

Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty()) out.push_back(TRY(ParseLine(line)));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

Result<std::vector<MountInfo>> ReadMountInfo() {
  std::string text = TRY(ReadFile("/proc/self/mountinfo"));
  return WithContext(ParseMountInfo(text), "/proc/self/mountinfo");
}

const MountInfo* FindMountOf(const std::vector<MountInfo>& mounts, std::string_view path) {
  const MountInfo* best = nullptr;
  for (const MountInfo& m : mounts) {
    std::string_view mp = m.mount_point;
    bool contains = mp == "/" || path == mp || (path.starts_with(mp) && path.size() > mp.size() && path[mp.size()] == '/');
    if (contains && (!best || mp.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

}  // namespace cocoon::rootfs
