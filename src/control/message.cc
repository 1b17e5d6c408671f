// Framing, FD passing and socket set-up of the control RPC.
#include "control/message.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "base/file.h"

namespace cocoon::control {
namespace {

// sun_path for `name` under `dir`, via an O_PATH fd on the directory.
struct SocketAddress {
  UniqueFd dir_fd;
  sockaddr_un addr{};
};

Result<SocketAddress> AddressInDir(const std::string& dir, std::string_view name) {
  SocketAddress out;
  out.dir_fd = TRY(OpenFile(dir, O_PATH | O_DIRECTORY));
  std::string path = fmt::format("/proc/self/fd/{}/{}", out.dir_fd.get(), name);
  if (path.size() >= sizeof(out.addr.sun_path)) return std::unexpected(Errorf("control socket name too long: {}", name));
  out.addr.sun_family = AF_UNIX;
  std::memcpy(out.addr.sun_path, path.c_str(), path.size() + 1);
  return out;
}

Result<UniqueFd> NewSocket() {
  UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!sock) return std::unexpected(ErrnoError("creating the control socket"));
  return sock;
}

}  // namespace

Result<nlohmann::json> DecodeBody(std::string_view bytes) {
  if (bytes.size() > kMaxMessageBytes) return std::unexpected(Errorf("control message of {} bytes is too large", bytes.size()));
  auto body = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return std::unexpected(MakeError("control message is not valid JSON"));
  if (!body.is_object()) return std::unexpected(MakeError("control message is not a JSON object"));
  return body;
}

Result<> SendMessage(int sock, const nlohmann::json& body, std::span<const int> fds) {
  std::string bytes = body.dump();
  if (bytes.size() > kMaxMessageBytes) return std::unexpected(Errorf("control message of {} bytes is too large", bytes.size()));
  if (fds.size() > kMaxFds) return std::unexpected(Errorf("control message with {} fds (at most {})", fds.size(), kMaxFds));
  iovec iov{bytes.data(), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  }
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError("sending a control message"));
  }
  return {};
}

Result<std::optional<Message>> ReceiveMessage(int sock) {
  std::string bytes(kMaxMessageBytes + 1, '\0');
  iovec iov{bytes.data(), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError("receiving a control message"));
  }
  Message out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.fds.emplace_back(fd);
    }
  }
  if (n == 0 && out.fds.empty()) return std::nullopt;
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) return std::unexpected(MakeError("control message truncated"));
  out.body = TRY(DecodeBody(std::string_view(bytes.data(), static_cast<size_t>(n))));
  return out;
}

Result<UniqueFd> ListenInDir(const std::string& dir, std::string_view name) {
  SocketAddress address = TRY(AddressInDir(dir, name));
  UniqueFd sock = TRY(NewSocket());
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&address.addr), sizeof(address.addr)) < 0)
    return std::unexpected(ErrnoError(fmt::format("binding control socket {}/{}", dir, name)));
  if (::listen(sock.get(), 16) < 0) return std::unexpected(ErrnoError("listening on the control socket"));
  return sock;
}

Result<UniqueFd> ConnectInDir(const std::string& dir, std::string_view name) {
  SocketAddress address = TRY(AddressInDir(dir, name));
  UniqueFd sock = TRY(NewSocket());
  while (::connect(sock.get(), reinterpret_cast<sockaddr*>(&address.addr), sizeof(address.addr)) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError(fmt::format("connecting to control socket {}/{}", dir, name)));
  }
  return sock;
}

}  // namespace cocoon::control
