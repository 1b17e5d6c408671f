// Errors as values: an errno (or 0) plus a message that each layer prefixes
// with what it was doing, e.g. "create: mount proc on /proc: EPERM".
#pragma once

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace cocoon {

class Error {
 public:
  Error() = default;
  Error(int code, std::string message) : code_(code), message_(std::move(message)) {}

  // The errno that caused this error, or 0 when it did not come from a syscall.
  int code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns this error with "context: " in front of its message.
  [[nodiscard]] Error Wrap(std::string_view context) const&;
  [[nodiscard]] Error Wrap(std::string_view context) &&;

 private:
  int code_ = 0;
  std::string message_;
};

template <typename T = void>
using Result = std::expected<T, Error>;

// "what: ENOENT (No such file or directory)" from an errno value.
[[nodiscard]] Error ErrnoError(std::string_view what, int err);
// Same, from the current errno.
[[nodiscard]] inline Error ErrnoError(std::string_view what) { return ErrnoError(what, errno); }
// An error that did not come from a syscall.
[[nodiscard]] inline Error MakeError(std::string message) { return Error(0, std::move(message)); }

template <typename... Args>
[[nodiscard]] Error Errorf(fmt::format_string<Args...> format, Args&&... args) {
  return Error(0, fmt::format(format, std::forward<Args>(args)...));
}

// The symbolic name of an errno ("EPERM"), or its number when unknown.
std::string ErrnoName(int err);

// Adds context to a failed result, passes a successful one through.
template <typename T>
Result<T> WithContext(Result<T> result, std::string_view context) {
  if (!result) return std::unexpected(std::move(result).error().Wrap(context));
  return result;
}

}  // namespace cocoon

// Unwraps a Result or returns its error from the enclosing function.
// `auto x = TRY(Foo());` and `TRY(Bar());` (for Result<void>) both work.
#define TRY(expr)                                                   \
  ({                                                                \
    auto&& try_result_ = (expr);                                    \
    if (!try_result_) return std::unexpected(std::move(try_result_).error()); \
    *std::move(try_result_);                                        \
  })

// As TRY, with "context: " added in front of the error message.
#define TRY_CTX(expr, context)                                      \
  ({                                                                \
    auto&& try_result_ = (expr);                                    \
    if (!try_result_)                                               \
      return std::unexpected(std::move(try_result_).error().Wrap(context)); \
    *std::move(try_result_);                                        \
  })
