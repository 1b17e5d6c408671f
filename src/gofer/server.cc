// The gofer's file server.
#include "gofer/server.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "gofer/host_fs.h"

namespace cocoon::gofer {

struct Server::HostNode {
  UniqueFd fd;  // O_PATH
  uint32_t type = 0;  // S_IFMT bits
  uint64_t dev = 0;
  uint64_t ino = 0;
  bool read_only = false;
  size_t tree = 0;
  // Where to reopen a non-directory from; null for a tree root and for a
  // node whose name was unlinked or replaced.
  NodePtr parent;
  std::string name;

  bool IsDir() const { return type == S_IFDIR; }
  bool SameFile(const HostNode& other) const { return dev == other.dev && ino == other.ino; }
};

namespace {

// Runs a syscall-style call and turns -1 into the errno.
ErrOr<void> Check(long rc) {
  if (rc < 0) return Fail(errno);
  return {};
}

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  // Linux 6.6; older glibc headers lack it (same number on every arch)
#endif

// The one chmod that takes AT_EMPTY_PATH, so it works on an O_PATH fd.
int Fchmodat2(int fd, const char* path, uint32_t mode, int flags) {
  return static_cast<int>(syscall(SYS_fchmodat2, fd, path, mode, flags));
}

}  // namespace

Server::Server(UniqueFd root, bool read_only, std::vector<ServedMount> mounts) {
  trees_.push_back({"/", std::move(root), read_only});
  for (auto& m : mounts) trees_.push_back({m.container_path, std::move(m.dir), m.read_only});
}

Server::~Server() = default;

Result<> Server::Serve(int socket_fd) {
  std::vector<char> buf(kMaxMessageSize + 1);
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    ssize_t n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(ErrnoError("gofer: receiving a request"));
    // Requests carry no fds: close any the client sent.
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        close(fd);
      }
    }
    if (n == 0) return {};  // the client closed its end
    UniqueFd reply_fd;
    // A packet longer than the buffer shows as kMaxMessageSize + 1 bytes,
    // which the header check rejects.
    std::vector<char> reply = Handle({buf.data(), static_cast<size_t>(n)}, &reply_fd);
    iovec out{reply.data(), reply.size()};
    msghdr rmsg{};
    rmsg.msg_iov = &out;
    rmsg.msg_iovlen = 1;
    alignas(cmsghdr) char rcontrol[CMSG_SPACE(sizeof(int))] = {};
    if (reply_fd) {
      rmsg.msg_control = rcontrol;
      rmsg.msg_controllen = sizeof(rcontrol);
      cmsghdr* c = CMSG_FIRSTHDR(&rmsg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN(sizeof(int));
      int fd = reply_fd.get();
      memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t sent;
    do {
      sent = sendmsg(socket_fd, &rmsg, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0 && errno == EPIPE) return {};
    if (sent < 0) return std::unexpected(ErrnoError("gofer: sending a reply"));
  }
}

std::vector<char> Server::Handle(std::span<const char> message, UniqueFd* fd_out) {
  fd_out->reset();
  auto header = DecodeHeader(message);
  if (!header || header->flags != 0) {
    // Echo what can be read of the header, so a client can match the reply.
    uint16_t type = 0;
    uint32_t tag = 0;
    if (message.size() >= kHeaderSize) {
      memcpy(&type, message.data() + 4, 2);
      memcpy(&tag, message.data() + 8, 4);
    }
    return EncodeErrorReply(static_cast<MessageType>(type), tag, EINVAL);
  }
  switch (header->type) {
    case MessageType::kAttach: return Dispatch(message, *header, fd_out, &Server::DoAttach);
    case MessageType::kWalk: return Dispatch(message, *header, fd_out, &Server::DoWalk);
    case MessageType::kStat: return Dispatch(message, *header, fd_out, &Server::DoStat);
    case MessageType::kOpen: return Dispatch(message, *header, fd_out, &Server::DoOpen);
    case MessageType::kCreate: return Dispatch(message, *header, fd_out, &Server::DoCreate);
    case MessageType::kMkdir: return Dispatch(message, *header, fd_out, &Server::DoMkdir);
    case MessageType::kMknod: return Dispatch(message, *header, fd_out, &Server::DoMknod);
    case MessageType::kSymlink: return Dispatch(message, *header, fd_out, &Server::DoSymlink);
    case MessageType::kLink: return Dispatch(message, *header, fd_out, &Server::DoLink);
    case MessageType::kReadlink: return Dispatch(message, *header, fd_out, &Server::DoReadlink);
    case MessageType::kUnlink: return Dispatch(message, *header, fd_out, &Server::DoUnlink);
    case MessageType::kRename: return Dispatch(message, *header, fd_out, &Server::DoRename);
    case MessageType::kGetdents: return Dispatch(message, *header, fd_out, &Server::DoGetdents);
    case MessageType::kSetstat: return Dispatch(message, *header, fd_out, &Server::DoSetstat);
    case MessageType::kStatfs: return Dispatch(message, *header, fd_out, &Server::DoStatfs);
    case MessageType::kFsync: return Dispatch(message, *header, fd_out, &Server::DoFsync);
    case MessageType::kClose: return Dispatch(message, *header, fd_out, &Server::DoClose);
  }
  return EncodeErrorReply(header->type, header->tag, EINVAL);
}

template <typename Req, typename Rep>
std::vector<char> Server::Dispatch(std::span<const char> message, const Header& header, UniqueFd* fd_out,
                                   ErrOr<Rep> (Server::*op)(const Req&, UniqueFd*)) {
  auto request = DecodeBody<Req>(message);
  if (!request) return EncodeErrorReply(header.type, header.tag, -request.error());
  auto reply = (this->*op)(*request, fd_out);
  if (!reply) {
    fd_out->reset();
    return EncodeErrorReply(header.type, header.tag, -reply.error());
  }
  return EncodeReply(header.type, header.tag, 0, *reply);
}

// ---- Handles.

ErrOr<Server::NodePtr> Server::Get(uint64_t handle) const {
  auto it = nodes_.find(handle);
  if (it == nodes_.end()) return Fail(EBADF);
  return it->second;
}

ErrOr<Server::NodePtr> Server::GetDir(uint64_t handle) const {
  NodePtr node = TRY(Get(handle));
  if (!node->IsDir()) return Fail(ENOTDIR);
  return node;
}

ErrOr<void> Server::CheckWritable(const HostNode& node) const {
  if (node.read_only) return Fail(EROFS);
  return {};
}

uint64_t Server::Register(NodePtr node) {
  uint64_t handle = next_handle_++;
  nodes_.emplace(handle, std::move(node));
  return handle;
}

ErrOr<Node> Server::AddChild(const NodePtr& dir, const std::string& name) {
  if (nodes_.size() >= kMaxHandles) return Fail(ENFILE);
  UniqueFd fd(OpenBeneath(dir->fd.get(), name.c_str(), O_PATH));
  if (!fd) return Fail(errno);
  struct stat st = TRY(StatFd(fd.get()));
  auto node = std::make_shared<HostNode>();
  node->fd = std::move(fd);
  node->type = st.st_mode & S_IFMT;
  node->dev = st.st_dev;
  node->ino = st.st_ino;
  node->read_only = dir->read_only;
  node->tree = dir->tree;
  node->parent = dir;
  node->name = name;
  return Node{Register(std::move(node)), ToNodeStat(st)};
}

ErrOr<UniqueFd> Server::Reopen(const HostNode& node, int flags) const {
  if (node.type == S_IFLNK) return Fail(ELOOP);
  if (node.IsDir()) {
    // A directory reopens through its own fd: no name involved.
    UniqueFd fd(OpenBeneath(node.fd.get(), ".", flags | O_DIRECTORY));
    if (!fd) return Fail(errno);
    return fd;
  }
  // Only regular files: opening a host fifo or device node never happens.
  if (node.type != S_IFREG) return Fail(ENXIO);
  if (!node.parent) return Fail(ESTALE);
  UniqueFd fd(OpenBeneath(node.parent->fd.get(), node.name.c_str(), flags | O_NOCTTY));
  if (!fd) return Fail(errno);
  struct stat st = TRY(StatFd(fd.get()));
  // The name now holds another file (changed on the host): refuse, never
  // hand out a file the guest did not walk to.
  if (st.st_dev != node.dev || st.st_ino != node.ino) return Fail(ESTALE);
  return fd;
}

void Server::Renamed(const NodePtr& old_dir, const std::string& old_name, const NodePtr& new_dir,
                     const std::string& new_name, bool exchange) {
  for (auto& [handle, n] : nodes_) {
    if (!n->parent) continue;
    bool at_old = n->parent->SameFile(*old_dir) && n->name == old_name;
    bool at_new = n->parent->SameFile(*new_dir) && n->name == new_name;
    if (at_old) {
      n->parent = new_dir;
      n->name = new_name;
    } else if (at_new && exchange) {
      n->parent = old_dir;
      n->name = old_name;
    } else if (at_new) {
      n->parent = nullptr;  // replaced
      n->name.clear();
    }
  }
}

void Server::Unlinked(const HostNode& dir, const std::string& name) {
  for (auto& [handle, n] : nodes_) {
    if (n->parent && n->parent->SameFile(dir) && n->name == name) {
      n->parent = nullptr;
      n->name.clear();
    }
  }
}

// ---- Operations.

ErrOr<AttachReply> Server::DoAttach(const AttachRequest& r, UniqueFd*) {
  for (size_t i = 0; i < trees_.size(); ++i) {
    if (trees_[i].path != r.path) continue;
    if (nodes_.size() >= kMaxHandles) return Fail(ENFILE);
    UniqueFd fd(OpenBeneath(trees_[i].fd.get(), ".", O_PATH | O_DIRECTORY));
    if (!fd) return Fail(errno);
    struct stat st = TRY(StatFd(fd.get()));
    auto node = std::make_shared<HostNode>();
    node->fd = std::move(fd);
    node->type = S_IFDIR;
    node->dev = st.st_dev;
    node->ino = st.st_ino;
    node->read_only = trees_[i].read_only;
    node->tree = i;
    AttachReply reply;
    reply.node = {Register(std::move(node)), ToNodeStat(st)};
    reply.read_only = trees_[i].read_only;
    return reply;
  }
  return Fail(ENOENT);
}

ErrOr<WalkReply> Server::DoWalk(const WalkRequest& r, UniqueFd*) {
  if (r.names.empty() || r.names.size() > kMaxWalkNames) return Fail(EINVAL);
  NodePtr cur = TRY(Get(r.handle));
  WalkReply reply;
  for (const auto& name : r.names) {
    ErrOr<Node> child = cur->IsDir() ? AddChild(cur, name) : Fail(ENOTDIR);
    if (!child) {
      if (reply.nodes.empty()) return std::unexpected(child.error());
      break;
    }
    reply.nodes.push_back(*child);
    cur = nodes_.at(child->handle);
  }
  return reply;
}

ErrOr<StatReply> Server::DoStat(const StatRequest& r, UniqueFd*) {
  NodePtr node = TRY(Get(r.handle));
  return StatReply{ToNodeStat(TRY(StatFd(node->fd.get())))};
}

ErrOr<EmptyReply> Server::DoOpen(const OpenRequest& r, UniqueFd* fd_out) {
  NodePtr node = TRY(Get(r.handle));
  int acc = static_cast<int>(r.flags & O_ACCMODE);
  if ((r.flags & ~static_cast<uint32_t>(O_ACCMODE | O_TRUNC)) || acc == O_ACCMODE) return Fail(EINVAL);
  bool write = acc != O_RDONLY || (r.flags & O_TRUNC);
  if (write) TRY(CheckWritable(*node));
  if (write && node->IsDir()) return Fail(EISDIR);
  *fd_out = TRY(Reopen(*node, static_cast<int>(r.flags)));
  return EmptyReply{};
}

ErrOr<NodeReply> Server::FinishCreate(const NodePtr& dir, const std::string& name, uint32_t uid,
                                      uint32_t gid, bool is_dir) {
  auto created = AddChild(dir, name);
  ErrOr<void> owned = created ? ErrOr<void>() : std::unexpected(created.error());
  if (created) {
    // Chown through the new node's own fd, never by name (which could be
    // swapped for a symlink meanwhile).
    NodePtr node = nodes_.at(created->handle);
    owned = Check(fchownat(node->fd.get(), "", uid, gid, AT_EMPTY_PATH));
    if (owned) {
      auto st = StatFd(node->fd.get());
      if (st) created->stat = ToNodeStat(*st);
    }
  }
  if (!owned) {
    if (created) nodes_.erase(created->handle);
    unlinkat(dir->fd.get(), name.c_str(), is_dir ? AT_REMOVEDIR : 0);
    return std::unexpected(owned.error());
  }
  return NodeReply{*created};
}

ErrOr<NodeReply> Server::DoCreate(const CreateRequest& r, UniqueFd* fd_out) {
  NodePtr dir = TRY(GetDir(r.dir));
  TRY(CheckWritable(*dir));
  int acc = static_cast<int>(r.flags);
  if (acc != O_RDONLY && acc != O_WRONLY && acc != O_RDWR) return Fail(EINVAL);
  UniqueFd fd(OpenBeneath(dir->fd.get(), r.name.c_str(), acc | O_CREAT | O_EXCL | O_NOCTTY, r.mode & 07777));
  if (!fd) return Fail(errno);
  NodeReply reply = TRY(FinishCreate(dir, r.name, r.uid, r.gid, false));
  struct stat st = TRY(StatFd(fd.get()));
  if (st.st_ino != reply.node.stat.ino || st.st_dev != reply.node.stat.dev) {
    nodes_.erase(reply.node.handle);
    return Fail(ESTALE);  // the name changed between create and reopen
  }
  *fd_out = std::move(fd);
  return reply;
}

ErrOr<NodeReply> Server::DoMkdir(const MkdirRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  TRY(CheckWritable(*dir));
  TRY(Check(mkdirat(dir->fd.get(), r.name.c_str(), r.mode & 07777)));
  return FinishCreate(dir, r.name, r.uid, r.gid, true);
}

ErrOr<NodeReply> Server::DoMknod(const MknodRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  TRY(CheckWritable(*dir));
  switch (r.mode & S_IFMT) {
    case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFCHR: case S_IFBLK: break;
    default: return Fail(EINVAL);
  }
  TRY(Check(mknodat(dir->fd.get(), r.name.c_str(), r.mode & (S_IFMT | 07777), r.rdev)));
  return FinishCreate(dir, r.name, r.uid, r.gid, false);
}

ErrOr<NodeReply> Server::DoSymlink(const SymlinkRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  TRY(CheckWritable(*dir));
  if (r.target.empty()) return Fail(ENOENT);
  TRY(Check(symlinkat(r.target.c_str(), dir->fd.get(), r.name.c_str())));
  return FinishCreate(dir, r.name, r.uid, r.gid, false);
}

ErrOr<NodeReply> Server::DoLink(const LinkRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  NodePtr target = TRY(Get(r.target));
  TRY(CheckWritable(*dir));
  if (target->IsDir()) return Fail(EPERM);
  if (target->tree != dir->tree) return Fail(EXDEV);
  TRY(Check(linkat(target->fd.get(), "", dir->fd.get(), r.name.c_str(), AT_EMPTY_PATH)));
  return NodeReply{TRY(AddChild(dir, r.name))};
}

ErrOr<ReadlinkReply> Server::DoReadlink(const ReadlinkRequest& r, UniqueFd*) {
  NodePtr node = TRY(Get(r.handle));
  if (node->type != S_IFLNK) return Fail(EINVAL);
  char buf[kMaxTextLength + 1];
  ssize_t n = readlinkat(node->fd.get(), "", buf, sizeof(buf));
  if (n < 0) return Fail(errno);
  if (static_cast<size_t>(n) > kMaxTextLength) return Fail(ENAMETOOLONG);
  ReadlinkReply reply{std::string(buf, static_cast<size_t>(n))};
  if (!IsValidText(reply.target)) return Fail(EIO);
  return reply;
}

ErrOr<EmptyReply> Server::DoUnlink(const UnlinkRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  TRY(CheckWritable(*dir));
  if (r.flags & ~static_cast<uint32_t>(AT_REMOVEDIR)) return Fail(EINVAL);
  TRY(Check(unlinkat(dir->fd.get(), r.name.c_str(), static_cast<int>(r.flags))));
  Unlinked(*dir, r.name);
  return EmptyReply{};
}

ErrOr<EmptyReply> Server::DoRename(const RenameRequest& r, UniqueFd*) {
  NodePtr old_dir = TRY(GetDir(r.old_dir));
  NodePtr new_dir = TRY(GetDir(r.new_dir));
  TRY(CheckWritable(*old_dir));
  TRY(CheckWritable(*new_dir));
  if (r.flags & ~static_cast<uint32_t>(RENAME_NOREPLACE | RENAME_EXCHANGE)) return Fail(EINVAL);
  if (old_dir->tree != new_dir->tree) return Fail(EXDEV);
  TRY(Check(syscall(SYS_renameat2, old_dir->fd.get(), r.old_name.c_str(), new_dir->fd.get(),
                    r.new_name.c_str(), r.flags)));
  Renamed(old_dir, r.old_name, new_dir, r.new_name, r.flags & RENAME_EXCHANGE);
  return EmptyReply{};
}

ErrOr<GetdentsReply> Server::DoGetdents(const GetdentsRequest& r, UniqueFd*) {
  NodePtr dir = TRY(GetDir(r.dir));
  UniqueFd fd = TRY(Reopen(*dir, O_RDONLY));
  if (r.offset != 0 && lseek(fd.get(), static_cast<off_t>(r.offset), SEEK_SET) < 0) return Fail(errno);
  GetdentsReply reply;
  reply.next_offset = r.offset;
  // Room for the header, errno, offset, end flag and count.
  size_t budget = kMaxMessageSize - kHeaderSize - 4 - 8 - 4 - 4;
  alignas(8) char buf[8192];
  for (;;) {
    long n = syscall(SYS_getdents64, fd.get(), buf, sizeof(buf));
    if (n < 0) return Fail(errno);
    if (n == 0) {
      reply.end = 1;
      return reply;
    }
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      std::string_view name(d->d_name);
      if (name != "." && name != "..") {
        size_t cost = 4 + name.size() + 8 + 4;
        if (cost > budget) return reply;  // the rest on the next call, from next_offset
        budget -= cost;
        reply.entries.push_back({std::string(name), d->d_ino, d->d_type});
      }
      reply.next_offset = static_cast<uint64_t>(d->d_off);
    }
  }
}

ErrOr<EmptyReply> Server::DoSetstat(const SetstatRequest& r, UniqueFd*) {
  NodePtr node = TRY(Get(r.handle));
  if (r.mask & ~kSetAll) return Fail(EINVAL);
  if (r.mask == 0) return EmptyReply{};
  TRY(CheckWritable(*node));
  int fd = node->fd.get();
  if (r.mask & kSetSize) {
    if (node->IsDir()) return Fail(EISDIR);
    if (node->type != S_IFREG) return Fail(EINVAL);
    if (r.size < 0) return Fail(EINVAL);
    UniqueFd file = TRY(Reopen(*node, O_WRONLY));
    TRY(Check(ftruncate(file.get(), r.size)));
  }
  // Owner before mode: chown clears set-id bits a chmod may be setting.
  if (r.mask & (kSetUid | kSetGid)) {
    uid_t uid = (r.mask & kSetUid) ? r.uid : static_cast<uid_t>(-1);
    gid_t gid = (r.mask & kSetGid) ? r.gid : static_cast<gid_t>(-1);
    TRY(Check(fchownat(fd, "", uid, gid, AT_EMPTY_PATH)));
  }
  if (r.mask & kSetMode) {
    if (node->type == S_IFLNK) return Fail(EOPNOTSUPP);
    TRY(Check(Fchmodat2(fd, "", r.mode & 07777, AT_EMPTY_PATH)));
  }
  if (r.mask & (kSetAtime | kSetMtime)) {
    timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (r.mask & kSetAtime) times[0] = r.atime;
    if (r.mask & kSetMtime) times[1] = r.mtime;
    for (const auto& t : times) {
      if (t.tv_nsec != UTIME_OMIT && (t.tv_nsec < 0 || t.tv_nsec >= 1'000'000'000)) return Fail(EINVAL);
    }
    TRY(Check(utimensat(fd, "", times, AT_EMPTY_PATH | (node->type == S_IFLNK ? AT_SYMLINK_NOFOLLOW : 0))));
  }
  return EmptyReply{};
}

ErrOr<StatfsReply> Server::DoStatfs(const StatfsRequest& r, UniqueFd*) {
  NodePtr node = TRY(Get(r.handle));
  struct statfs s {};
  TRY(Check(fstatfs(node->fd.get(), &s)));
  StatfsReply reply;
  reply.type = static_cast<uint64_t>(s.f_type);
  reply.bsize = static_cast<uint64_t>(s.f_bsize);
  reply.blocks = s.f_blocks;
  reply.bfree = s.f_bfree;
  reply.bavail = s.f_bavail;
  reply.files = s.f_files;
  reply.ffree = s.f_ffree;
  reply.namelen = static_cast<uint64_t>(s.f_namelen);
  reply.frsize = static_cast<uint64_t>(s.f_frsize);
  reply.flags = static_cast<uint64_t>(s.f_flags);
  return reply;
}

ErrOr<EmptyReply> Server::DoFsync(const FsyncRequest& r, UniqueFd*) {
  NodePtr node = TRY(Get(r.handle));
  if (!node->IsDir() && node->type != S_IFREG) return Fail(EINVAL);
  UniqueFd fd = TRY(Reopen(*node, O_RDONLY));
  TRY(Check(fsync(fd.get())));
  return EmptyReply{};
}

ErrOr<EmptyReply> Server::DoClose(const CloseRequest& r, UniqueFd*) {
  if (nodes_.erase(r.handle) == 0) return Fail(EBADF);
  return EmptyReply{};
}

}  // namespace cocoon::gofer
