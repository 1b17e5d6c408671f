// Signal relay with a signalfd, so no handler runs in an async context.
#include "native/signal_forwarder.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "base/unique_fd.h"
#include "native/console.h"
#include "native/lifecycle.h"

namespace cocoon::native {
namespace {

// Signals a user sends to the runtime that are meant for the container.
constexpr int kForwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};

}  // namespace

Result<int> ForwardSignalsAndWait(pid_t pid, int console) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigaddset(&set, SIGCHLD);
  sigset_t old;
  if (::sigprocmask(SIG_BLOCK, &set, &old) < 0) return std::unexpected(ErrnoError("sigprocmask"));
  UniqueFd sfd(::signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd) return std::unexpected(ErrnoError("signalfd"));

  std::optional<TerminalProxy> terminal;
  if (console >= 0) terminal.emplace(console);
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (terminal) terminal->Drain();
      terminal.reset();  // our terminal's mode back before anything is printed
      ::sigprocmask(SIG_SETMASK, &old, nullptr);
      return ShellStatus(status);
    }
    if (done < 0 && errno != EINTR) return std::unexpected(ErrnoError(fmt::format("waiting for {}", pid)));
    pollfd fds[3] = {{sfd.get(), POLLIN, 0},
                     {terminal ? terminal->master() : -1, POLLIN, 0},
                     {terminal && terminal->stdin_open() ? STDIN_FILENO : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0 && errno != EINTR) return std::unexpected(ErrnoError("poll"));
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(sfd.get(), &info, sizeof info) == sizeof info) {
        int signal = static_cast<int>(info.ssi_signo);
        // Our window changed: the container's pty follows, and the kernel
        // tells the pty's foreground process group (runc does the same).
        if (signal == SIGWINCH && terminal) {
          terminal->ResizeFromStdin();
        } else if (signal != SIGCHLD) {
          ::kill(pid, signal);
        }
      }
    }
    if (terminal && !terminal->OnReady(fds[1].revents, fds[2].revents)) {
      // Every slave is closed; the process is about to be reaped.
      terminal.reset();
    }
  }
}

}  // namespace cocoon::native
