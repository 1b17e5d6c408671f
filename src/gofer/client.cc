// Gofer protocol client.
#include "gofer/client.h"

#include <sys/socket.h>

#include <cstring>

#include "base/error.h"
#include "base/log.h"

namespace cocoon::gofer {

ErrOr<std::vector<char>> Client::RoundTrip(const std::vector<char>& request, UniqueFd* fd_out) {
  std::lock_guard lock(mu_);
  return RoundTripLocked(request, fd_out);
}

ErrOr<std::vector<char>> Client::RoundTripLocked(const std::vector<char>& request, UniqueFd* fd_out) {
  if (request.size() > kMaxMessageSize) return Fail(EINVAL);
  ssize_t sent;
  do {
    sent = send(socket_.get(), request.data(), request.size(), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    log::Warn("{}", ErrnoError("gofer client: sending a request").message());
    return Fail(EIO);
  }
  std::vector<char> reply(kMaxMessageSize + 1);
  iovec iov{reply.data(), reply.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = recvmsg(socket_.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  // Own every fd that came, so none leaks whatever happens next.
  std::vector<UniqueFd> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      fds.emplace_back(fd);
    }
  }
  if (n < 0) {
    log::Warn("{}", ErrnoError("gofer client: receiving a reply").message());
    return Fail(EIO);
  }
  if (n == 0) {
    log::Warn("gofer client: the gofer closed its socket");
    return Fail(EIO);
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC) || fds.size() > 1) return Fail(EIO);
  reply.resize(static_cast<size_t>(n));
  if (fd_out) *fd_out = fds.empty() ? UniqueFd() : std::move(fds[0]);
  return reply;
}

template <typename R, typename M>
ErrOr<R> Client::Call(const M& request, UniqueFd* fd_out) {
  std::lock_guard lock(mu_);
  uint32_t tag = next_tag_++;
  UniqueFd fd;
  std::vector<char> reply = TRY(RoundTripLocked(EncodeRequest(request, tag), &fd));
  R result = TRY(DecodeReply<R>(reply, M::kType, tag));
  if (fd_out) {
    if (!fd) return Fail(EIO);  // the reply promised an fd
    *fd_out = std::move(fd);
  }
  return result;
}

ErrOr<AttachReply> Client::Attach(std::string_view path) {
  return Call<AttachReply>(AttachRequest{std::string(path)});
}

ErrOr<std::vector<Node>> Client::Walk(uint64_t dir, std::vector<std::string> names) {
  auto reply = TRY(Call<WalkReply>(WalkRequest{dir, std::move(names)}));
  return std::move(reply.nodes);
}

ErrOr<NodeStat> Client::Stat(uint64_t handle) {
  return TRY(Call<StatReply>(StatRequest{handle})).stat;
}

ErrOr<UniqueFd> Client::Open(uint64_t handle, uint32_t flags) {
  UniqueFd fd;
  TRY(Call<EmptyReply>(OpenRequest{handle, flags}, &fd));
  return fd;
}

ErrOr<CreatedFile> Client::Create(uint64_t dir, std::string_view name, uint32_t flags, uint32_t mode,
                                  uint32_t uid, uint32_t gid) {
  CreatedFile out;
  out.node = TRY(Call<NodeReply>(CreateRequest{dir, std::string(name), flags, mode, uid, gid}, &out.fd)).node;
  return out;
}

ErrOr<Node> Client::Mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid, uint32_t gid) {
  return TRY(Call<NodeReply>(MkdirRequest{dir, std::string(name), mode, uid, gid})).node;
}

ErrOr<Node> Client::Mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev, uint32_t uid,
                          uint32_t gid) {
  return TRY(Call<NodeReply>(MknodRequest{dir, std::string(name), mode, rdev, uid, gid})).node;
}

ErrOr<Node> Client::Symlink(uint64_t dir, std::string_view name, std::string_view target, uint32_t uid,
                            uint32_t gid) {
  return TRY(Call<NodeReply>(SymlinkRequest{dir, std::string(name), std::string(target), uid, gid})).node;
}

ErrOr<Node> Client::Link(uint64_t dir, std::string_view name, uint64_t target) {
  return TRY(Call<NodeReply>(LinkRequest{dir, std::string(name), target})).node;
}

ErrOr<std::string> Client::Readlink(uint64_t handle) {
  return TRY(Call<ReadlinkReply>(ReadlinkRequest{handle})).target;
}

ErrOr<void> Client::Unlink(uint64_t dir, std::string_view name, uint32_t flags) {
  TRY(Call<EmptyReply>(UnlinkRequest{dir, std::string(name), flags}));
  return {};
}

ErrOr<void> Client::Rename(uint64_t old_dir, std::string_view old_name, uint64_t new_dir,
                           std::string_view new_name, uint32_t flags) {
  TRY(Call<EmptyReply>(RenameRequest{old_dir, std::string(old_name), new_dir, std::string(new_name), flags}));
  return {};
}

ErrOr<GetdentsReply> Client::GetdentsPage(uint64_t dir, uint64_t offset) {
  return Call<GetdentsReply>(GetdentsRequest{dir, offset});
}

ErrOr<std::vector<Dirent>> Client::Getdents(uint64_t dir) {
  std::vector<Dirent> out;
  uint64_t offset = 0;
  for (;;) {
    GetdentsReply page = TRY(GetdentsPage(dir, offset));
    for (auto& e : page.entries) out.push_back(std::move(e));
    if (page.end) return out;
    // A page that neither ends the listing nor moves on would loop forever.
    if (page.entries.empty() || page.next_offset == offset) return Fail(EIO);
    offset = page.next_offset;
  }
}

ErrOr<void> Client::Setstat(const SetstatRequest& request) {
  TRY(Call<EmptyReply>(request));
  return {};
}

ErrOr<StatfsReply> Client::Statfs(uint64_t handle) { return Call<StatfsReply>(StatfsRequest{handle}); }

ErrOr<void> Client::Fsync(uint64_t handle) {
  TRY(Call<EmptyReply>(FsyncRequest{handle}));
  return {};
}

ErrOr<void> Client::Close(uint64_t handle) {
  TRY(Call<EmptyReply>(CloseRequest{handle}));
  return {};
}

}  // namespace cocoon::gofer
