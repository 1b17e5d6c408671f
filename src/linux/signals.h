// Signal names and numbers as runc's `kill` accepts them ("KILL", "SIGKILL", "9", "SIGRTMIN+3").
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace cocoon::linux {

// Parses a signal name (case-insensitive, with or without "SIG"), a real-time
// signal relative to RTMIN/RTMAX ("RTMIN+3", "SIGRTMAX-1"), or a number.
// Error: `unknown signal "FOO"`.
Result<int> ParseSignal(std::string_view text);

// "SIGKILL", "SIGRTMIN+3"; "signal 99" for a number that is no signal.
std::string SignalName(int signal);

}  // namespace cocoon::linux
