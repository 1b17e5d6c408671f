// The control RPC's wire format: one SOCK_SEQPACKET datagram per message,
// holding a JSON object, with up to kMaxFds file descriptors passed alongside
// (SCM_RIGHTS). Requests are {"method": M, "params": {...}}; replies are
// {"result": {...}} or {"error": "text"}.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::control {

inline constexpr size_t kMaxMessageBytes = 64 * 1024;
inline constexpr size_t kMaxFds = 16;

struct Message {
  nlohmann::json body;
  std::vector<UniqueFd> fds;
};

// Parses a message body: a JSON object, at most kMaxMessageBytes. Bytes come
// from the less trusted side, so anything else is an error, never a crash.
Result<nlohmann::json> DecodeBody(std::string_view bytes);

Result<> SendMessage(int sock, const nlohmann::json& body, std::span<const int> fds = {});
// nullopt when the peer closed the connection.
Result<std::optional<Message>> ReceiveMessage(int sock);

// A SOCK_SEQPACKET socket bound (and listening) or connected at `name` inside
// the directory `dir`; going through the directory keeps long --root paths
// under the 108-byte limit of sun_path.
Result<UniqueFd> ListenInDir(const std::string& dir, std::string_view name);
Result<UniqueFd> ConnectInDir(const std::string& dir, std::string_view name);

}  // namespace cocoon::control
