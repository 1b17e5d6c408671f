// Linux capabilities: the name table, validation, and applying the five OCI sets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// "CAP_SYS_ADMIN" (case-insensitive) -> 21. Knows every capability up to
// CAP_CHECKPOINT_RESTORE (40), whether or not the running kernel has it.
// Error: `unknown capability "CAP_FOO"`.
Result<int> CapabilityFromName(std::string_view name);
// 21 -> "CAP_SYS_ADMIN"; empty for a number this table does not know.
std::string_view CapabilityName(int cap);
// The highest capability number this table names.
int KnownLastCapability();
// The running kernel's last capability (/proc/sys/kernel/cap_last_cap), read once.
Result<int> HostLastCapability();

// The five OCI sets as bit masks (bit n = capability n).
struct CapabilityMasks {
  uint64_t bounding = 0, effective = 0, inheritable = 0, permitted = 0, ambient = 0;
};

// Turns names into masks. Unknown names are errors naming the set and value;
// known names the kernel lacks (number > host_last_cap) are dropped with a
// warning, as runc does.
Result<CapabilityMasks> ResolveCapabilities(const oci::Capabilities& caps, int host_last_cap);
Result<CapabilityMasks> ResolveCapabilities(const oci::Capabilities& caps);

// Checks every name of every set.
Result<> ValidateCapabilities(const oci::Capabilities& caps);

// Fails, naming them, when caps asks for permitted or effective capabilities
// this process does not hold itself (so init could not keep them): create
// reports it, as runc does, instead of init failing after start.
Result<> CheckHeld(const oci::Capabilities& caps);

// Drops from the bounding set every capability not in caps.bounding.
// Needs CAP_SETPCAP: call while still privileged, before SwitchUser.
Result<> DropBoundingSet(const oci::Capabilities& caps);
// Sets effective, permitted and inheritable (capset), then clears the ambient
// set and raises caps.ambient (a capability that cannot be raised, because it
// is not also permitted and inheritable, is a warning, as in runc).
// Call after SwitchUser (which keeps the permitted set across the uid change).
Result<> ApplyCapabilities(const oci::Capabilities& caps);

// A process without a capabilities object gets no capabilities at all.
Result<> DropBoundingSet(const std::optional<oci::Capabilities>& caps);
Result<> ApplyCapabilities(const std::optional<oci::Capabilities>& caps);

// Masks-based forms, for callers that resolved the names earlier.
Result<> DropBoundingSet(uint64_t bounding);
Result<> ApplyCapabilities(const CapabilityMasks& masks);

}  // namespace cocoon::linux
