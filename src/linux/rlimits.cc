// The rlimit table and setrlimit.
#include "linux/rlimits.h"

#include <sys/resource.h>

#include <array>
#include <set>
#include <string>

namespace cocoon::linux {
namespace {

struct RlimitEntry {
  std::string_view name;
  int resource;
};

constexpr std::array kRlimits = {
    RlimitEntry{"RLIMIT_CPU", RLIMIT_CPU},
    RlimitEntry{"RLIMIT_FSIZE", RLIMIT_FSIZE},
    RlimitEntry{"RLIMIT_DATA", RLIMIT_DATA},
    RlimitEntry{"RLIMIT_STACK", RLIMIT_STACK},
    RlimitEntry{"RLIMIT_CORE", RLIMIT_CORE},
    RlimitEntry{"RLIMIT_RSS", RLIMIT_RSS},
    RlimitEntry{"RLIMIT_NPROC", RLIMIT_NPROC},
    RlimitEntry{"RLIMIT_NOFILE", RLIMIT_NOFILE},
    RlimitEntry{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    RlimitEntry{"RLIMIT_AS", RLIMIT_AS},
    RlimitEntry{"RLIMIT_LOCKS", RLIMIT_LOCKS},
    RlimitEntry{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    RlimitEntry{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    RlimitEntry{"RLIMIT_NICE", RLIMIT_NICE},
    RlimitEntry{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    RlimitEntry{"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

// "unlimited" reads better than 18446744073709551615 in an error.
std::string LimitText(uint64_t value) {
  return value == RLIM_INFINITY ? std::string("unlimited") : std::to_string(value);
}

}  // namespace

Result<int> RlimitFromName(std::string_view name) {
  for (const RlimitEntry& entry : kRlimits) {
    if (entry.name == name) return entry.resource;
  }
  return std::unexpected(Errorf("unknown rlimit \"{}\"", name));
}

std::string_view RlimitName(int resource) {
  for (const RlimitEntry& entry : kRlimits) {
    if (entry.resource == resource) return entry.name;
  }
  return {};
}

Result<> ValidateRlimits(const std::vector<oci::Rlimit>& rlimits) {
  std::set<int> seen;
  for (const oci::Rlimit& rlimit : rlimits) {
    int resource = TRY_CTX(RlimitFromName(rlimit.type), "process.rlimits");
    if (!seen.insert(resource).second)
      return std::unexpected(Errorf("process.rlimits: duplicate rlimit \"{}\"", rlimit.type));
    if (rlimit.soft > rlimit.hard)
      return std::unexpected(Errorf("process.rlimits: {}: soft limit {} is above hard limit {}",
                                    rlimit.type, LimitText(rlimit.soft), LimitText(rlimit.hard)));
  }
  return {};
}

Result<> ApplyRlimits(const std::vector<oci::Rlimit>& rlimits) {
  TRY(ValidateRlimits(rlimits));
  for (const oci::Rlimit& rlimit : rlimits) {
    int resource = TRY(RlimitFromName(rlimit.type));
    struct rlimit limit = {.rlim_cur = rlimit.soft, .rlim_max = rlimit.hard};
    if (prlimit(0, static_cast<__rlimit_resource>(resource), &limit, nullptr) != 0)
      return std::unexpected(
          ErrnoError(fmt::format("setting {} to soft {}, hard {}", rlimit.type,
                                 LimitText(rlimit.soft), LimitText(rlimit.hard))));
  }
  return {};
}

}  // namespace cocoon::linux
