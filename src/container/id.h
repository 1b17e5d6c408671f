// Container id rules: what may name a directory under --root safely.
#pragma once

#include <string_view>

#include "base/error.h"

namespace cocoon::container {

inline constexpr size_t kMaxIdLength = 1024;

// Accepts ids made of [A-Za-z0-9_+.-] (runc's set), rejecting empty ids,
// ".", "..", slashes, control characters and over-long ids.
Result<> ValidateId(std::string_view id);

}  // namespace cocoon::container
