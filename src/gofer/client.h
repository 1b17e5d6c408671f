// The kernel's side of the gofer protocol: one synchronous call per
// operation over the gofer socket. Thread-safe: one request in flight at a
// time. Results are guest errnos; a broken connection or a malformed reply
// is EIO (and logged once with the host error).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "gofer/errno_or.h"
#include "gofer/protocol.h"

namespace cocoon::gofer {

// A new regular file: its node and an fd open with the asked access mode.
struct CreatedFile {
  Node node;
  UniqueFd fd;
};

class Client {
 public:
  explicit Client(UniqueFd socket) : socket_(std::move(socket)) {}

  // The root of the tree served at `path` ("/" or a bind mount's path).
  ErrOr<AttachReply> Attach(std::string_view path);
  // Walks `names` from `dir`: one node per name walked (see WalkReply).
  ErrOr<std::vector<Node>> Walk(uint64_t dir, std::vector<std::string> names);
  ErrOr<NodeStat> Stat(uint64_t handle);
  // An fd on a regular file for pread/pwrite; `flags` are O_ACCMODE | O_TRUNC.
  ErrOr<UniqueFd> Open(uint64_t handle, uint32_t flags);
  ErrOr<CreatedFile> Create(uint64_t dir, std::string_view name, uint32_t flags, uint32_t mode,
                            uint32_t uid, uint32_t gid);
  ErrOr<Node> Mkdir(uint64_t dir, std::string_view name, uint32_t mode, uint32_t uid, uint32_t gid);
  ErrOr<Node> Mknod(uint64_t dir, std::string_view name, uint32_t mode, uint64_t rdev, uint32_t uid,
                    uint32_t gid);
  ErrOr<Node> Symlink(uint64_t dir, std::string_view name, std::string_view target, uint32_t uid,
                      uint32_t gid);
  ErrOr<Node> Link(uint64_t dir, std::string_view name, uint64_t target);
  ErrOr<std::string> Readlink(uint64_t handle);
  ErrOr<void> Unlink(uint64_t dir, std::string_view name, uint32_t flags);
  ErrOr<void> Rename(uint64_t old_dir, std::string_view old_name, uint64_t new_dir,
                     std::string_view new_name, uint32_t flags);
  // Every entry of `dir` (without "." and ".."), over as many pages as needed.
  ErrOr<std::vector<Dirent>> Getdents(uint64_t dir);
  // One page from `offset` (0 for the start).
  ErrOr<GetdentsReply> GetdentsPage(uint64_t dir, uint64_t offset);
  ErrOr<void> Setstat(const SetstatRequest& request);
  ErrOr<StatfsReply> Statfs(uint64_t handle);
  ErrOr<void> Fsync(uint64_t handle);
  ErrOr<void> Close(uint64_t handle);

  // Sends raw bytes and returns the raw reply (for protocol tests).
  ErrOr<std::vector<char>> RoundTrip(const std::vector<char>& request, UniqueFd* fd_out);

 private:
  // Sends `request`, waits for its reply; `fd_out` (when not null) receives
  // the reply's fd, which must then be present.
  template <typename R, typename M>
  ErrOr<R> Call(const M& request, UniqueFd* fd_out = nullptr);
  ErrOr<std::vector<char>> RoundTripLocked(const std::vector<char>& request, UniqueFd* fd_out);

  std::mutex mu_;
  UniqueFd socket_;
  uint32_t next_tag_ = 1;
};

}  // namespace cocoon::gofer
