// Signal name table and parsing.
#include "linux/signals.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <optional>
#include <utility>

namespace cocoon::linux {
namespace {

struct SignalEntry {
  std::string_view name;  // without "SIG"
  int number;
};

// The first entry for a number is its canonical name; aliases follow it.
constexpr std::array kSignals = {
    SignalEntry{"HUP", SIGHUP},       SignalEntry{"INT", SIGINT},
    SignalEntry{"QUIT", SIGQUIT},     SignalEntry{"ILL", SIGILL},
    SignalEntry{"TRAP", SIGTRAP},     SignalEntry{"ABRT", SIGABRT},
    SignalEntry{"IOT", SIGIOT},       SignalEntry{"BUS", SIGBUS},
    SignalEntry{"FPE", SIGFPE},       SignalEntry{"KILL", SIGKILL},
    SignalEntry{"USR1", SIGUSR1},     SignalEntry{"SEGV", SIGSEGV},
    SignalEntry{"USR2", SIGUSR2},     SignalEntry{"PIPE", SIGPIPE},
    SignalEntry{"ALRM", SIGALRM},     SignalEntry{"TERM", SIGTERM},
    SignalEntry{"STKFLT", SIGSTKFLT}, SignalEntry{"CHLD", SIGCHLD},
    SignalEntry{"CLD", SIGCHLD},      SignalEntry{"CONT", SIGCONT},
    SignalEntry{"STOP", SIGSTOP},     SignalEntry{"TSTP", SIGTSTP},
    SignalEntry{"TTIN", SIGTTIN},     SignalEntry{"TTOU", SIGTTOU},
    SignalEntry{"URG", SIGURG},       SignalEntry{"XCPU", SIGXCPU},
    SignalEntry{"XFSZ", SIGXFSZ},     SignalEntry{"VTALRM", SIGVTALRM},
    SignalEntry{"PROF", SIGPROF},     SignalEntry{"WINCH", SIGWINCH},
    SignalEntry{"IO", SIGIO},         SignalEntry{"POLL", SIGPOLL},
    SignalEntry{"PWR", SIGPWR},       SignalEntry{"SYS", SIGSYS},
};

// glibc keeps the first kernel real-time signals for itself, so SIGRTMIN is a
// function call; SIGRTMAX is the kernel's last signal.
int RtMin() { return SIGRTMIN; }
int RtMax() { return SIGRTMAX; }

std::optional<int> ParseNumber(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "RTMIN", "RTMIN+3", "RTMAX-1" (upper case, "SIG" already stripped).
std::optional<int> ParseRealtime(std::string_view name) {
  struct Base {
    std::string_view prefix;
    int value;
    int sign;  // direction an offset may go
  };
  const std::array bases = {Base{"RTMIN", RtMin(), +1}, Base{"RTMAX", RtMax(), -1}};
  for (const Base& base : bases) {
    if (!name.starts_with(base.prefix)) continue;
    std::string_view rest = name.substr(base.prefix.size());
    if (rest.empty()) return base.value;
    char op = rest.front();
    if ((op == '+' && base.sign < 0) || (op == '-' && base.sign > 0) || (op != '+' && op != '-'))
      return std::nullopt;
    std::optional<int> offset = ParseNumber(rest.substr(1));
    if (!offset || *offset < 0) return std::nullopt;
    int signal = base.value + base.sign * *offset;
    if (signal < RtMin() || signal > RtMax()) return std::nullopt;
    return signal;
  }
  return std::nullopt;
}

}  // namespace

Result<int> ParseSignal(std::string_view text) {
  auto unknown = [&] { return std::unexpected(Errorf("unknown signal \"{}\"", text)); };
  if (std::optional<int> number = ParseNumber(text)) {
    if (*number < 1 || *number > RtMax()) return unknown();
    return *number;
  }
  std::string name(text);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string_view bare = name;
  if (bare.starts_with("SIG")) bare.remove_prefix(3);
  for (const SignalEntry& entry : kSignals) {
    if (entry.name == bare) return entry.number;
  }
  if (std::optional<int> rt = ParseRealtime(bare)) return *rt;
  return unknown();
}

std::string SignalName(int signal) {
  for (const SignalEntry& entry : kSignals) {
    if (entry.number == signal) return fmt::format("SIG{}", entry.name);
  }
  int middle = (RtMin() + RtMax()) / 2;
  if (signal == RtMin()) return "SIGRTMIN";
  if (signal == RtMax()) return "SIGRTMAX";
  if (signal > RtMin() && signal <= middle) return fmt::format("SIGRTMIN+{}", signal - RtMin());
  if (signal > middle && signal < RtMax()) return fmt::format("SIGRTMAX-{}", RtMax() - signal);
  return fmt::format("signal {}", signal);
}

}  // namespace cocoon::linux
