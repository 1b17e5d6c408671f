// pty setup and console-socket hand-off.
#include "native/console.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "base/file.h"

namespace cocoon::native {

Result<Console> SetupConsole(const std::optional<oci::ConsoleSize>& size) {
  UniqueFd master = TRY(OpenFile("/dev/ptmx", O_RDWR | O_NOCTTY));
  int unlock = 0;
  if (::ioctl(master.get(), TIOCSPTLCK, &unlock) < 0) return std::unexpected(ErrnoError("unlockpt"));
  int number = 0;
  if (::ioctl(master.get(), TIOCGPTN, &number) < 0) return std::unexpected(ErrnoError("ptsname"));
  // TIOCGPTPEER opens the slave through the master, immune to /dev/pts tricks.
  int slave = ::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return std::unexpected(ErrnoError("opening the pty slave"));
  UniqueFd slave_fd(slave);
  if (size && size->height && size->width) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    if (::ioctl(slave, TIOCSWINSZ, &ws) < 0) return std::unexpected(ErrnoError("setting the console size"));
  }
  if (::setsid() < 0) return std::unexpected(ErrnoError("setsid"));
  if (::ioctl(slave, TIOCSCTTY, 0) < 0) return std::unexpected(ErrnoError("setting the controlling terminal"));
  for (int fd = 0; fd < 3; ++fd)
    if (::dup2(slave, fd) < 0) return std::unexpected(ErrnoError("dup2 of the pty slave"));
  return Console{std::move(master), fmt::format("/dev/pts/{}", number)};
}

Result<UniqueFd> ConnectConsoleSocket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return std::unexpected(Errorf("console socket path too long: {}", path));
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return std::unexpected(ErrnoError("socket"));
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return std::unexpected(ErrnoError(fmt::format("connecting to console socket {}", path)));
  return sock;
}

Result<> SendToConsoleSocket(const std::string& path, int master) {
  UniqueFd sock = TRY(ConnectConsoleSocket(path));
  char name[64] = "/dev/ptmx";
  int pty_number = 0;
  if (::ioctl(master, TIOCGPTN, &pty_number) == 0) snprintf(name, sizeof name, "/dev/pts/%d", pty_number);
  iovec iov{name, std::strlen(name)};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
  if (::sendmsg(sock.get(), &msg, MSG_NOSIGNAL) < 0)
    return std::unexpected(ErrnoError(fmt::format("sending the pty to console socket {}", path)));
  return {};
}

Result<> CopyWindowSize(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) < 0) return std::unexpected(ErrnoError("reading the terminal size"));
  if (::ioctl(to, TIOCSWINSZ, &ws) < 0) return std::unexpected(ErrnoError("setting the console size"));
  return {};
}

TerminalProxy::TerminalProxy(int master) : master_(master) {
  if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    termios raw = saved_;
    ::cfmakeraw(&raw);
    raw_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ResizeFromStdin();
}

TerminalProxy::~TerminalProxy() {
  if (raw_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

void TerminalProxy::ResizeFromStdin() const {
  // Not a terminal (input from a file or pipe): the pty keeps its size.
  if (::isatty(STDIN_FILENO)) (void)CopyWindowSize(STDIN_FILENO, master_);
}

namespace {

// Copies what one read gets from `from` to `to`; false on EOF or error.
bool Pump(int from, int to) {
  char buf[4096];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EINTR || errno == EAGAIN);
  return static_cast<bool>(WriteAll(to, std::string_view(buf, static_cast<size_t>(n))));
}

}  // namespace

bool TerminalProxy::OnReady(short master_events, short stdin_events) {
  if (stdin_open_ && (stdin_events & (POLLIN | POLLHUP | POLLERR))) {
    if (!Pump(STDIN_FILENO, master_)) stdin_open_ = false;
  }
  if (master_events & POLLIN) return Pump(master_, STDOUT_FILENO);
  return !(master_events & (POLLHUP | POLLERR));
}

void TerminalProxy::Drain() const {
  // The pty holds the last output after its process exited; EIO once empty
  // and no slave is left, EAGAIN if someone still holds one.
  int flags = ::fcntl(master_, F_GETFL);
  if (flags < 0 || ::fcntl(master_, F_SETFL, flags | O_NONBLOCK) < 0) return;
  for (;;) {
    char buf[4096];
    ssize_t n = ::read(master_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !WriteAll(STDOUT_FILENO, std::string_view(buf, static_cast<size_t>(n)))) break;
  }
  ::fcntl(master_, F_SETFL, flags);
}

}  // namespace cocoon::native
