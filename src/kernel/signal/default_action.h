// What SIG_DFL does for each signal (signal(7)), as a table.
#pragma once

#include <signal.h>

#include <array>

namespace cocoon::kernel {

enum class DefaultAction : unsigned char { kTerminate, kCore, kIgnore, kStop, kContinue };

inline constexpr std::array<DefaultAction, 65> kDefaultActions = [] {
  std::array<DefaultAction, 65> table{};
  table.fill(DefaultAction::kTerminate);  // every other signal, real-time ones included
  for (int sig : {SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS}) {
    table[sig] = DefaultAction::kCore;
  }
  for (int sig : {SIGCHLD, SIGURG, SIGWINCH}) table[sig] = DefaultAction::kIgnore;
  for (int sig : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) table[sig] = DefaultAction::kStop;
  table[SIGCONT] = DefaultAction::kContinue;
  return table;
}();

}  // namespace cocoon::kernel
