// The message channel between the runtime and the processes it forks while
// setting up a container: small typed messages, an error text, FD passing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::native {

enum class SyncType : uint32_t {
  kAck = 1,
  kUsernsReady,    // child -> runtime: write my uid/gid maps
  kInitPid,        // intermediate -> runtime: the container init's host pid
  kRootfsReady,    // init -> runtime: run prestart and createRuntime hooks now
  kConsole,        // init -> runtime: here is the pty master (SCM_RIGHTS)
  kCreated,        // init -> runtime: set up, now waiting on the exec FIFO
  kError,          // child -> runtime: setup failed; text says why
};

struct SyncMessage {
  SyncType type = SyncType::kAck;
  int64_t value = 0;  // a pid for kInitPid
  std::string text;   // the error for kError
  UniqueFd fd;        // the fd for kConsole
};

// One end of a SOCK_SEQPACKET socketpair: each message is one datagram.
class SyncSocket {
 public:
  SyncSocket() = default;
  explicit SyncSocket(UniqueFd fd) : fd_(std::move(fd)) {}

  static Result<std::pair<SyncSocket, SyncSocket>> Pair();

  Result<> Send(SyncType type, int64_t value = 0, std::string_view text = {}, int fd = -1) const;
  Result<> SendError(const Error& error) const { return Send(SyncType::kError, error.code(), error.message()); }
  // Reads the next message; EOF (the peer died) is an error.
  Result<SyncMessage> Receive() const;
  // Reads the next message and checks its type; a kError becomes the returned error.
  Result<SyncMessage> Expect(SyncType type) const;

  int fd() const { return fd_.get(); }
  void Close() { fd_.reset(); }

 private:
  UniqueFd fd_;
};

}  // namespace cocoon::native
