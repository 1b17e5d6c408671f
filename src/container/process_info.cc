// /proc/<pid>/stat parsing.
#include "container/process_info.h"

#include <charconv>
#include <string>

#include "base/file.h"

namespace cocoon::container {

std::optional<ProcStat> ParseProcStat(std::string_view text) {
  // The command name (field 2) may contain spaces and ')': skip to the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return std::nullopt;
  std::string_view rest = text.substr(close + 2);
  ProcStat stat;
  stat.state = rest[0];
  // Fields from 3 on; start time is field 22, i.e. the 20th after the state.
  int field = 3;
  size_t pos = 0;
  while (field < 22) {
    pos = rest.find(' ', pos);
    if (pos == std::string_view::npos) return std::nullopt;
    ++pos;
    ++field;
  }
  auto [ptr, ec] = std::from_chars(rest.data() + pos, rest.data() + rest.size(), stat.start_time);
  if (ec != std::errc()) return std::nullopt;
  return stat;
}

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return ParseProcStat(*text);
}

bool ProcessAlive(pid_t pid, uint64_t start_time) {
  auto stat = ReadProcStat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X' && stat->start_time == start_time;
}

}  // namespace cocoon::container
