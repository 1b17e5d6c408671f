// OCI -> cgroup value translations.
#include "cgroup/convert.h"

#include <dirent.h>

#include <algorithm>

#include "cgroup/fs.h"

namespace cocoon::cgroup {

uint64_t CpuSharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  shares = std::clamp<uint64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t BlkioWeightToIoWeight(uint64_t weight) {
  if (weight == 0) return 0;
  weight = std::clamp<uint64_t>(weight, 10, 1000);
  return 1 + (weight - 10) * 9999 / 990;
}

Result<int64_t> SwapToV2(int64_t swap, int64_t limit) {
  // Unlimited memory with swap unset means both unlimited, as on v1.
  if (limit == -1 && swap == 0) return -1;
  if (swap == -1 || swap == 0) return swap;
  if (limit == 0 || limit == -1)
    return std::unexpected(
        MakeError("memory.swap: can not set a swap limit without a memory limit"));
  if (limit < 0) return std::unexpected(Errorf("memory.limit: invalid value {}", limit));
  if (swap < limit)
    return std::unexpected(
        Errorf("memory.swap ({}) must be >= memory.limit ({}): it is memory+swap", swap, limit));
  return swap - limit;
}

std::string V2Limit(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

std::string CpuMax(std::optional<int64_t> quota, std::optional<uint64_t> period) {
  std::string out = quota && *quota > 0 ? std::to_string(*quota) : "max";
  if (period && *period != 0) out += " " + std::to_string(*period);
  return out;
}

std::string DeviceRuleString(const oci::DeviceCgroupRule& rule) {
  std::string type = rule.type.empty() ? "a" : rule.type;
  auto number = [](const std::optional<int64_t>& n) {
    return n && *n >= 0 ? std::to_string(*n) : std::string("*");
  };
  std::string access = rule.access.empty() ? "rwm" : rule.access;
  return fmt::format("{} {}:{} {}", type, number(rule.major), number(rule.minor), access);
}

std::vector<oci::DeviceCgroupRule> DefaultAllowedDevices() {
  struct Row {
    const char* type;
    int64_t major, minor;  // -1 is "*"
    const char* access;
  };
  static constexpr Row kRows[] = {
      {"c", -1, -1, "m"},    {"b", -1, -1, "m"},  // mknod of anything; using it is another matter
      {"c", 1, 3, "rwm"},    {"c", 1, 5, "rwm"},  // null, zero
      {"c", 1, 7, "rwm"},    {"c", 1, 8, "rwm"},  // full, random
      {"c", 1, 9, "rwm"},    {"c", 5, 0, "rwm"},  // urandom, tty
      {"c", 5, 2, "rwm"},    {"c", 136, -1, "rwm"},  // ptmx, pts/*
      {"c", 10, 200, "rwm"},                         // net/tun
  };
  std::vector<oci::DeviceCgroupRule> out;
  for (const Row& r : kRows) {
    oci::DeviceCgroupRule rule{.allow = true, .type = r.type, .access = r.access};
    if (r.major >= 0) rule.major = r.major;
    if (r.minor >= 0) rule.minor = r.minor;
    out.push_back(rule);
  }
  return out;
}

Result<std::string> HugePageSizeName(const std::string& dir_entry) {
  constexpr std::string_view kPrefix = "hugepages-", kSuffix = "kB";
  std::string_view s = dir_entry;
  if (!s.starts_with(kPrefix) || !s.ends_with(kSuffix))
    return std::unexpected(Errorf("cgroup: unexpected hugepages entry \"{}\"", dir_entry));
  s = s.substr(kPrefix.size(), s.size() - kPrefix.size() - kSuffix.size());
  auto kb = ParseUint(s);
  if (!kb || *kb == 0)
    return std::unexpected(Errorf("cgroup: unexpected hugepages entry \"{}\"", dir_entry));
  static constexpr std::pair<uint64_t, const char*> kUnits[] = {
      {1024ull * 1024 * 1024, "TB"}, {1024ull * 1024, "GB"}, {1024, "MB"}, {1, "KB"}};
  for (auto [size, unit] : kUnits) {
    if (*kb % size == 0) return fmt::format("{}{}", *kb / size, unit);
  }
  return std::unexpected(Errorf("cgroup: unexpected hugepages entry \"{}\"", dir_entry));
}

std::vector<std::string> HostHugePageSizes(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    if (auto name = HugePageSizeName(e->d_name)) out.push_back(*name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cocoon::cgroup
