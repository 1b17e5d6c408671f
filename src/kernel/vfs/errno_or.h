// Guest-visible results inside the vfs: a value or a negative Linux errno.
//
// The vfs speaks only errnos (what the guest will see); rich host errors are
// logged where they happen. Negative like the syscall ABI, so a handler can
// `return result.error();` unchanged. base/error.h's TRY works on these too.
#pragma once

#include <cerrno>
#include <expected>
#include <type_traits>

#include "base/error.h"  // TRY works on ErrOr too

namespace cocoon::kernel::vfs {

template <typename T = void>
using ErrOr = std::expected<T, int>;

// `return Fail(ENOENT);` from a function returning ErrOr<T>.
inline std::unexpected<int> Fail(int err) { return std::unexpected(-err); }

// A negative errno as an int64_t syscall-style result, or the value.
template <typename T>
int64_t ToSyscallResult(const ErrOr<T>& result) {
  if (!result) return result.error();
  if constexpr (std::is_void_v<T>) {
    return 0;
  } else {
    return static_cast<int64_t>(*result);
  }
}

}  // namespace cocoon::kernel::vfs
