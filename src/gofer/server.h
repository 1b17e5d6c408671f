// The gofer's file server: answers protocol requests on one connected socket
// with the container's files, confined to the trees it was given.
//
// Every node is an O_PATH fd. Names are resolved one component at a time
// relative to the parent's fd (OpenBeneath), symlinks are never followed, and
// files are reopened for I/O from their parent and name, checking that the
// same inode came back: nothing outside a served tree is ever reached, even
// when the host tree changes underneath.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "gofer/protocol.h"

namespace cocoon::gofer {

// A host directory served at a container path (a bind mount).
struct ServedMount {
  std::string container_path;  // as Attach asks for it, e.g. "/data"
  UniqueFd dir;                // any fd on the host directory (O_PATH is enough)
  bool read_only = false;
};

class Server {
 public:
  // `root` is the container's root directory, served at "/".
  Server(UniqueFd root, bool read_only, std::vector<ServedMount> mounts = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves requests on `socket_fd` (SOCK_SEQPACKET) until the peer closes it.
  // Errors are host errors (the socket broke); bad requests get error replies.
  Result<> Serve(int socket_fd);

  // One request message in, its reply out; `fd_out` is set when the reply
  // carries an fd. Never fails: malformed requests get EINVAL replies.
  std::vector<char> Handle(std::span<const char> request, UniqueFd* fd_out);

  size_t handle_count() const { return nodes_.size(); }

  // At most this many names in one Walk (so its reply fits in a message).
  static constexpr size_t kMaxWalkNames = 256;
  // At most this many live handles (each holds a host fd).
  static constexpr size_t kMaxHandles = 1 << 20;

 private:
  struct HostNode;
  struct Tree {
    std::string path;
    UniqueFd fd;
    bool read_only;
  };
  using NodePtr = std::shared_ptr<HostNode>;

  template <typename Req, typename Rep>
  std::vector<char> Dispatch(std::span<const char> message, const Header& header, UniqueFd* fd_out,
                             ErrOr<Rep> (Server::*op)(const Req&, UniqueFd*));

  ErrOr<AttachReply> DoAttach(const AttachRequest& r, UniqueFd* fd_out);
  ErrOr<WalkReply> DoWalk(const WalkRequest& r, UniqueFd* fd_out);
  ErrOr<StatReply> DoStat(const StatRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoOpen(const OpenRequest& r, UniqueFd* fd_out);
  ErrOr<NodeReply> DoCreate(const CreateRequest& r, UniqueFd* fd_out);
  ErrOr<NodeReply> DoMkdir(const MkdirRequest& r, UniqueFd* fd_out);
  ErrOr<NodeReply> DoMknod(const MknodRequest& r, UniqueFd* fd_out);
  ErrOr<NodeReply> DoSymlink(const SymlinkRequest& r, UniqueFd* fd_out);
  ErrOr<NodeReply> DoLink(const LinkRequest& r, UniqueFd* fd_out);
  ErrOr<ReadlinkReply> DoReadlink(const ReadlinkRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoUnlink(const UnlinkRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoRename(const RenameRequest& r, UniqueFd* fd_out);
  ErrOr<GetdentsReply> DoGetdents(const GetdentsRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoSetstat(const SetstatRequest& r, UniqueFd* fd_out);
  ErrOr<StatfsReply> DoStatfs(const StatfsRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoFsync(const FsyncRequest& r, UniqueFd* fd_out);
  ErrOr<EmptyReply> DoClose(const CloseRequest& r, UniqueFd* fd_out);

  ErrOr<NodePtr> Get(uint64_t handle) const;
  ErrOr<NodePtr> GetDir(uint64_t handle) const;
  // EROFS unless the node's tree is writable.
  ErrOr<void> CheckWritable(const HostNode& node) const;
  // Opens `name` in `dir` as a new node and handle.
  ErrOr<gofer::Node> AddChild(const NodePtr& dir, const std::string& name);
  // A node created just now in `dir`: opened, chowned, registered; removed
  // again if that fails (`is_dir` says how to remove it).
  ErrOr<NodeReply> FinishCreate(const NodePtr& dir, const std::string& name, uint32_t uid,
                                uint32_t gid, bool is_dir);
  uint64_t Register(NodePtr node);
  // A fresh fd on a regular file or directory for I/O (`flags` as open(2)).
  ErrOr<UniqueFd> Reopen(const HostNode& node, int flags) const;
  // Keeps nodes' (parent, name) right after a rename or unlink on the host.
  void Renamed(const NodePtr& old_dir, const std::string& old_name, const NodePtr& new_dir,
               const std::string& new_name, bool exchange);
  void Unlinked(const HostNode& dir, const std::string& name);

  std::vector<Tree> trees_;  // [0] is the root
  std::unordered_map<uint64_t, NodePtr> nodes_;
  uint64_t next_handle_ = 1;
};

}  // namespace cocoon::gofer
