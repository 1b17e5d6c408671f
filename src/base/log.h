// Logging in runc's formats: text lines, or JSON lines {"level","msg","time"}
// that containerd and conmon parse from the --log file.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace cocoon::log {

enum class Level { kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

// Sends log lines to `fd` (not owned; stderr by default).
void SetOutput(int fd);
void SetFormat(Format format);
void SetLevel(Level level);
bool Enabled(Level level);

// Writes one line at `level`. Safe for any process that may allocate.
void Write(Level level, std::string_view message);

// One JSON log line (without the trailing newline), for tests and callers that
// forward lines. `time` is RFC 3339 with nanoseconds, as runc writes it.
std::string FormatJsonLine(Level level, std::string_view message, std::string_view time);
std::string_view LevelName(Level level);

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace cocoon::log
