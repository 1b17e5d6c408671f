// Log output: one write(2) per line so lines from several processes sharing
// one log file never interleave.
#include "base/log.h"

#include "base/clock.h"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

namespace cocoon::log {
namespace {

int g_fd = STDERR_FILENO;
Format g_format = Format::kText;
Level g_level = Level::kWarn;

}  // namespace

void SetOutput(int fd) { g_fd = fd; }
void SetFormat(Format format) { g_format = format; }
void SetLevel(Level level) { g_level = level; }
bool Enabled(Level level) { return level >= g_level; }

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warning";
    case Level::kError: return "error";
  }
  return "error";
}

std::string FormatJsonLine(Level level, std::string_view message, std::string_view time) {
  nlohmann::ordered_json line;
  line["level"] = LevelName(level);
  line["msg"] = message;
  line["time"] = time;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, std::string_view message) {
  std::string line;
  if (g_format == Format::kJson) {
    line = FormatJsonLine(level, message, NowRfc3339());
  } else {
    line = fmt::format("{} [{}] {}", NowRfc3339(), LevelName(level), message);
  }
  line.push_back('\n');
  // Best effort: a log that cannot be written must not fail the operation.
  [[maybe_unused]] ssize_t n = ::write(g_fd, line.data(), line.size());
}

}  // namespace cocoon::log
