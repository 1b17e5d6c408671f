// Error formatting.
#include "base/error.h"

#include <cstring>

namespace cocoon {

Error Error::Wrap(std::string_view context) const& {
  return Error(code_, fmt::format("{}: {}", context, message_));
}

Error Error::Wrap(std::string_view context) && {
  message_.insert(0, fmt::format("{}: ", context));
  return std::move(*this);
}

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? std::string(name) : fmt::format("errno {}", err);
}

Error ErrnoError(std::string_view what, int err) {
  return Error(err, fmt::format("{}: {} ({})", what, ErrnoName(err), strerrordesc_np(err) ? strerrordesc_np(err) : "unknown error"));
}

}  // namespace cocoon
