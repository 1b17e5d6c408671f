// Wall-clock timestamps in the formats runc writes.
#pragma once

#include <string>

namespace cocoon {

// Now as RFC 3339 in UTC with nanoseconds: 2026-11-24T02:35:41.123456789Z.
std::string NowRfc3339();

}  // namespace cocoon
