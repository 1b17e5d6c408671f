// personality(2) from the spec's domain name.
#include "linux/personalities.h"

#include <sys/personality.h>

#include <array>

namespace cocoon::linux {
namespace {

struct DomainEntry {
  std::string_view name;
  unsigned long domain;
};

constexpr std::array kDomains = {
    DomainEntry{"LINUX", PER_LINUX},
    DomainEntry{"LINUX32", PER_LINUX32},
};

}  // namespace

Result<unsigned long> PersonalityDomainFromName(std::string_view name) {
  for (const DomainEntry& entry : kDomains) {
    if (entry.name == name) return entry.domain;
  }
  return std::unexpected(Errorf("unknown personality domain \"{}\"", name));
}

Result<> ValidatePersonality(const oci::Personality& personality) {
  TRY_CTX(PersonalityDomainFromName(personality.domain), "linux.personality.domain");
  if (!personality.flags.empty())
    return std::unexpected(
        Errorf("linux.personality.flags: flag \"{}\" is not supported", personality.flags.front()));
  return {};
}

Result<> ApplyPersonality(const oci::Personality& personality) {
  TRY(ValidatePersonality(personality));
  unsigned long domain = TRY(PersonalityDomainFromName(personality.domain));
  if (::personality(domain) == -1)
    return std::unexpected(ErrnoError(fmt::format("personality({})", personality.domain)));
  return {};
}

}  // namespace cocoon::linux
