// Guest-visible results of gofer operations: a value or a negative Linux
// errno, the same shape as the kernel vfs's ErrOr (kernel/vfs/errno_or.h), so
// the kernel passes them through unchanged without gofer depending on kernel.
#pragma once

#include <cerrno>
#include <expected>

namespace cocoon::gofer {

template <typename T = void>
using ErrOr = std::expected<T, int>;

// `return Fail(ENOENT);` from a function returning ErrOr<T>.
inline std::unexpected<int> Fail(int err) { return std::unexpected(-err); }

}  // namespace cocoon::gofer
