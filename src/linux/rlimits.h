// Resource limits (process.rlimits): the RLIMIT_* name table, validation, setrlimit.
#pragma once

#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE. Error: `unknown rlimit "RLIMIT_FOO"`.
Result<int> RlimitFromName(std::string_view name);
// RLIMIT_NOFILE -> "RLIMIT_NOFILE"; empty when unknown.
std::string_view RlimitName(int resource);

// Known names, no type twice (the runtime spec requires an error), soft <= hard.
Result<> ValidateRlimits(const std::vector<oci::Rlimit>& rlimits);

// Validates, then sets each limit on the calling process. Raising a hard
// limit needs CAP_SYS_RESOURCE, so call before dropping capabilities.
Result<> ApplyRlimits(const std::vector<oci::Rlimit>& rlimits);

}  // namespace cocoon::linux
