// Capability tables and the capset/prctl calls that apply them.
#include "linux/capabilities.h"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>
#include <vector>

#include "base/file.h"
#include "base/log.h"

namespace cocoon::linux {
namespace {

struct CapEntry {
  std::string_view name;
  int number;
};

// Indexed by number; checked below so a typo cannot shift the table.
constexpr std::array kCapabilities = {
    CapEntry{"CAP_CHOWN", CAP_CHOWN},
    CapEntry{"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE},
    CapEntry{"CAP_DAC_READ_SEARCH", CAP_DAC_READ_SEARCH},
    CapEntry{"CAP_FOWNER", CAP_FOWNER},
    CapEntry{"CAP_FSETID", CAP_FSETID},
    CapEntry{"CAP_KILL", CAP_KILL},
    CapEntry{"CAP_SETGID", CAP_SETGID},
    CapEntry{"CAP_SETUID", CAP_SETUID},
    CapEntry{"CAP_SETPCAP", CAP_SETPCAP},
    CapEntry{"CAP_LINUX_IMMUTABLE", CAP_LINUX_IMMUTABLE},
    CapEntry{"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
    CapEntry{"CAP_NET_BROADCAST", CAP_NET_BROADCAST},
    CapEntry{"CAP_NET_ADMIN", CAP_NET_ADMIN},
    CapEntry{"CAP_NET_RAW", CAP_NET_RAW},
    CapEntry{"CAP_IPC_LOCK", CAP_IPC_LOCK},
    CapEntry{"CAP_IPC_OWNER", CAP_IPC_OWNER},
    CapEntry{"CAP_SYS_MODULE", CAP_SYS_MODULE},
    CapEntry{"CAP_SYS_RAWIO", CAP_SYS_RAWIO},
    CapEntry{"CAP_SYS_CHROOT", CAP_SYS_CHROOT},
    CapEntry{"CAP_SYS_PTRACE", CAP_SYS_PTRACE},
    CapEntry{"CAP_SYS_PACCT", CAP_SYS_PACCT},
    CapEntry{"CAP_SYS_ADMIN", CAP_SYS_ADMIN},
    CapEntry{"CAP_SYS_BOOT", CAP_SYS_BOOT},
    CapEntry{"CAP_SYS_NICE", CAP_SYS_NICE},
    CapEntry{"CAP_SYS_RESOURCE", CAP_SYS_RESOURCE},
    CapEntry{"CAP_SYS_TIME", CAP_SYS_TIME},
    CapEntry{"CAP_SYS_TTY_CONFIG", CAP_SYS_TTY_CONFIG},
    CapEntry{"CAP_MKNOD", CAP_MKNOD},
    CapEntry{"CAP_LEASE", CAP_LEASE},
    CapEntry{"CAP_AUDIT_WRITE", CAP_AUDIT_WRITE},
    CapEntry{"CAP_AUDIT_CONTROL", CAP_AUDIT_CONTROL},
    CapEntry{"CAP_SETFCAP", CAP_SETFCAP},
    CapEntry{"CAP_MAC_OVERRIDE", CAP_MAC_OVERRIDE},
    CapEntry{"CAP_MAC_ADMIN", CAP_MAC_ADMIN},
    CapEntry{"CAP_SYSLOG", CAP_SYSLOG},
    CapEntry{"CAP_WAKE_ALARM", CAP_WAKE_ALARM},
    CapEntry{"CAP_BLOCK_SUSPEND", CAP_BLOCK_SUSPEND},
    CapEntry{"CAP_AUDIT_READ", CAP_AUDIT_READ},
    CapEntry{"CAP_PERFMON", 38},
    CapEntry{"CAP_BPF", 39},
    CapEntry{"CAP_CHECKPOINT_RESTORE", 40},
};

constexpr bool TableIsIndexedByNumber() {
  for (size_t i = 0; i < kCapabilities.size(); ++i) {
    if (kCapabilities[i].number != static_cast<int>(i)) return false;
  }
  return true;
}
static_assert(TableIsIndexedByNumber(), "kCapabilities must be ordered by number without gaps");

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

std::string ToUpper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

// The names of the capabilities in `mask`, for error messages.
std::string MaskNames(uint64_t mask) {
  std::string out;
  for (int cap = 0; cap < 64; ++cap) {
    if (!(mask & Bit(cap))) continue;
    if (!out.empty()) out += ", ";
    std::string_view name = CapabilityName(cap);
    out += name.empty() ? fmt::format("cap {}", cap) : std::string(name);
  }
  return out;
}

Result<uint64_t> ResolveSet(const std::vector<std::string>& names, std::string_view set,
                            int host_last_cap) {
  uint64_t mask = 0;
  for (const std::string& name : names) {
    int cap = TRY_CTX(CapabilityFromName(name), fmt::format("process.capabilities.{}", set));
    if (cap > host_last_cap) {
      log::Warn("ignoring capability {} in the {} set: the running kernel does not know it", name,
                set);
      continue;
    }
    mask |= Bit(cap);
  }
  return mask;
}

struct CapFreer {
  void operator()(cap_t caps) const { cap_free(caps); }
};
using UniqueCaps = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFreer>;

Result<> SetFlag(cap_t caps, cap_flag_t flag, uint64_t mask) {
  std::vector<cap_value_t> values;
  for (int cap = 0; cap < 64; ++cap) {
    if (mask & Bit(cap)) values.push_back(cap);
  }
  if (values.empty()) return {};
  if (cap_set_flag(caps, flag, static_cast<int>(values.size()), values.data(), CAP_SET) != 0)
    return std::unexpected(ErrnoError(fmt::format("cap_set_flag({})", MaskNames(mask))));
  return {};
}

// The current permitted set, to say which requested capabilities we lack.
uint64_t CurrentPermitted() {
  UniqueCaps current(cap_get_proc());
  if (!current) return ~uint64_t{0};
  uint64_t mask = 0;
  for (int cap = 0; cap < 64 && cap <= CAP_LAST_CAP; ++cap) {
    cap_flag_value_t value = CAP_CLEAR;
    if (cap_get_flag(current.get(), cap, CAP_PERMITTED, &value) == 0 && value == CAP_SET)
      mask |= Bit(cap);
  }
  return mask;
}

uint64_t CurrentBounding() {
  uint64_t mask = 0;
  for (int cap = 0; cap < 64; ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) mask |= Bit(cap);
  }
  return mask;
}

// "capset: EPERM (...); not held by this process: CAP_X".
Error Explain(const Error& error, std::string_view why, uint64_t caps) {
  return Error(error.code(), fmt::format("{}; {}: {}", error.message(), why, MaskNames(caps)));
}

Result<> SetEffectivePermittedInheritable(const CapabilityMasks& masks) {
  UniqueCaps caps(cap_init());
  if (!caps) return std::unexpected(ErrnoError("cap_init"));
  TRY_CTX(SetFlag(caps.get(), CAP_EFFECTIVE, masks.effective), "effective");
  TRY_CTX(SetFlag(caps.get(), CAP_PERMITTED, masks.permitted), "permitted");
  TRY_CTX(SetFlag(caps.get(), CAP_INHERITABLE, masks.inheritable), "inheritable");
  if (cap_set_proc(caps.get()) == 0) return {};
  int err = errno;
  Error error = ErrnoError("capset", err);
  if (err == EPERM) {
    uint64_t missing = (masks.permitted | masks.effective) & ~CurrentPermitted();
    if (missing) return std::unexpected(Explain(error, "not held by this process", missing));
    if (uint64_t extra = masks.effective & ~masks.permitted)
      return std::unexpected(Explain(error, "effective but not permitted", extra));
    if (uint64_t unbounded = masks.inheritable & ~CurrentBounding())
      return std::unexpected(Explain(error, "inheritable but not in the bounding set", unbounded));
  }
  return std::unexpected(std::move(error));
}

Result<> SetAmbient(uint64_t ambient) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    // Kernels before 4.3 have no ambient set; that only matters if one is asked for.
    if (errno == EINVAL && ambient == 0) return {};
    return std::unexpected(ErrnoError("clearing the ambient capability set"));
  }
  for (int cap = 0; cap < 64; ++cap) {
    if (!(ambient & Bit(cap))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
      log::Warn("cannot raise ambient capability {}: {}", CapabilityName(cap),
                ErrnoError("prctl(PR_CAP_AMBIENT_RAISE)").message());
    }
  }
  return {};
}

const oci::Capabilities& OrNone(const std::optional<oci::Capabilities>& caps) {
  static const oci::Capabilities kNone;
  return caps ? *caps : kNone;
}

}  // namespace

Result<> CheckHeld(const oci::Capabilities& caps) {
  CapabilityMasks masks = TRY(ResolveCapabilities(caps));
  uint64_t missing = (masks.permitted | masks.effective) & ~CurrentPermitted();
  if (missing) return std::unexpected(Errorf("capabilities not held by this process: {}", MaskNames(missing)));
  return {};
}

Result<int> CapabilityFromName(std::string_view name) {
  std::string upper = ToUpper(name);
  for (const CapEntry& entry : kCapabilities) {
    if (entry.name == upper) return entry.number;
  }
  return std::unexpected(Errorf("unknown capability \"{}\"", name));
}

std::string_view CapabilityName(int cap) {
  if (cap < 0 || cap >= static_cast<int>(kCapabilities.size())) return {};
  return kCapabilities[cap].name;
}

int KnownLastCapability() { return static_cast<int>(kCapabilities.size()) - 1; }

Result<int> HostLastCapability() {
  static const Result<int> last = []() -> Result<int> {
    constexpr const char* kPath = "/proc/sys/kernel/cap_last_cap";
    std::string text = TRY(ReadFile(kPath));
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    int value = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 63)
      return std::unexpected(Errorf("{}: not a capability number: \"{}\"", kPath, text));
    return value;
  }();
  return last;
}

Result<CapabilityMasks> ResolveCapabilities(const oci::Capabilities& caps, int host_last_cap) {
  CapabilityMasks masks;
  masks.bounding = TRY(ResolveSet(caps.bounding, "bounding", host_last_cap));
  masks.effective = TRY(ResolveSet(caps.effective, "effective", host_last_cap));
  masks.inheritable = TRY(ResolveSet(caps.inheritable, "inheritable", host_last_cap));
  masks.permitted = TRY(ResolveSet(caps.permitted, "permitted", host_last_cap));
  masks.ambient = TRY(ResolveSet(caps.ambient, "ambient", host_last_cap));
  return masks;
}

Result<CapabilityMasks> ResolveCapabilities(const oci::Capabilities& caps) {
  int last = TRY(HostLastCapability());
  return ResolveCapabilities(caps, last);
}

Result<> ValidateCapabilities(const oci::Capabilities& caps) {
  // Validation must not depend on the host: every known name is valid.
  TRY(ResolveCapabilities(caps, 63));
  return {};
}

Result<> DropBoundingSet(uint64_t bounding) {
  int last = TRY(HostLastCapability());
  for (int cap = 0; cap <= last; ++cap) {
    if (bounding & Bit(cap)) continue;
    // Already dropped (say, by a parent runtime): nothing to do, and dropping
    // again would still need CAP_SETPCAP.
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      std::string_view name = CapabilityName(cap);
      return std::unexpected(
          ErrnoError(fmt::format("dropping {} from the bounding set",
                                 name.empty() ? fmt::format("cap {}", cap) : std::string(name))));
    }
  }
  return {};
}

Result<> DropBoundingSet(const oci::Capabilities& caps) {
  CapabilityMasks masks = TRY(ResolveCapabilities(caps));
  return DropBoundingSet(masks.bounding);
}

Result<> DropBoundingSet(const std::optional<oci::Capabilities>& caps) {
  return DropBoundingSet(OrNone(caps));
}

Result<> ApplyCapabilities(const CapabilityMasks& masks) {
  TRY_CTX(SetEffectivePermittedInheritable(masks), "applying capabilities");
  TRY_CTX(SetAmbient(masks.ambient), "applying ambient capabilities");
  return {};
}

Result<> ApplyCapabilities(const oci::Capabilities& caps) {
  CapabilityMasks masks = TRY(ResolveCapabilities(caps));
  return ApplyCapabilities(masks);
}

Result<> ApplyCapabilities(const std::optional<oci::Capabilities>& caps) {
  return ApplyCapabilities(OrNone(caps));
}

}  // namespace cocoon::linux
