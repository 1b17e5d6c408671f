// Facts about host processes read from /proc: is a recorded pid still the
// same process (start time guards against pid reuse)?
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "base/error.h"

namespace cocoon::container {

struct ProcStat {
  char state = '?';         // R S D Z T t X ...
  uint64_t start_time = 0;  // field 22, clock ticks after boot
};

// Parses /proc/<pid>/stat; nullopt when the process does not exist.
std::optional<ProcStat> ReadProcStat(pid_t pid);
// Parses the text of a /proc/<pid>/stat file (exposed for tests).
std::optional<ProcStat> ParseProcStat(std::string_view text);

// True when `pid` exists, is not a zombie, and started at `start_time`.
bool ProcessAlive(pid_t pid, uint64_t start_time);

}  // namespace cocoon::container
