// Execution domain (linux.personality): LINUX or LINUX32.
#pragma once

#include <string_view>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// "LINUX" -> PER_LINUX, "LINUX32" -> PER_LINUX32. Error: `unknown personality domain "X"`.
Result<unsigned long> PersonalityDomainFromName(std::string_view name);

// Checks the domain; flags are rejected because the runtime spec defines none yet.
Result<> ValidatePersonality(const oci::Personality& personality);

// Sets the personality of the calling process (inherited across execve).
Result<> ApplyPersonality(const oci::Personality& personality);

}  // namespace cocoon::linux
