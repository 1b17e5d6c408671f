// Sync messages over a seqpacket socketpair, with SCM_RIGHTS for FDs.
#include "native/sync.h"

#include <sys/socket.h>

#include <cstring>
#include <vector>

namespace cocoon::native {
namespace {

struct Header {
  uint32_t type;
  uint32_t text_size;
  int64_t value;
};

constexpr size_t kMaxMessage = 64 * 1024;

}  // namespace

Result<std::pair<SyncSocket, SyncSocket>> SyncSocket::Pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
    return std::unexpected(ErrnoError("socketpair"));
  return std::pair{SyncSocket(UniqueFd(fds[0])), SyncSocket(UniqueFd(fds[1]))};
}

Result<> SyncSocket::Send(SyncType type, int64_t value, std::string_view text, int fd) const {
  if (text.size() > kMaxMessage - sizeof(Header)) text = text.substr(0, kMaxMessage - sizeof(Header));
  Header header{static_cast<uint32_t>(type), static_cast<uint32_t>(text.size()), value};
  iovec iov[2] = {{&header, sizeof header}, {const_cast<char*>(text.data()), text.size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  }
  while (::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError("sending sync message"));
  }
  return {};
}

Result<SyncMessage> SyncSocket::Receive() const {
  std::vector<char> buf(kMaxMessage);
  iovec iov{buf.data(), buf.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return std::unexpected(ErrnoError("receiving sync message"));
  }
  if (n == 0) return std::unexpected(MakeError("the container process exited during setup"));
  if (static_cast<size_t>(n) < sizeof(Header)) return std::unexpected(MakeError("short sync message"));
  Header header;
  std::memcpy(&header, buf.data(), sizeof header);
  SyncMessage out;
  out.type = static_cast<SyncType>(header.type);
  out.value = header.value;
  size_t text_size = std::min<size_t>(header.text_size, static_cast<size_t>(n) - sizeof header);
  out.text.assign(buf.data() + sizeof header, text_size);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      out.fd.reset(fd);
    }
  }
  return out;
}

Result<SyncMessage> SyncSocket::Expect(SyncType type) const {
  SyncMessage msg = TRY(Receive());
  if (msg.type == SyncType::kError) return std::unexpected(Error(static_cast<int>(msg.value), msg.text));
  if (msg.type != type)
    return std::unexpected(Errorf("unexpected sync message {} (wanted {})", static_cast<uint32_t>(msg.type),
                                  static_cast<uint32_t>(type)));
  return msg;
}

}  // namespace cocoon::native
