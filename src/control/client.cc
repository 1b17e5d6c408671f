// One request, one reply.
#include "control/client.h"

namespace cocoon::control {

Result<Message> Client::Call(std::string_view method, const nlohmann::json& params, std::span<const int> fds) const {
  UniqueFd sock = TRY_CTX(ConnectInDir(dir_, name_), "the sandbox is not answering");
  nlohmann::json request = {{"method", method}, {"params", params}};
  TRY(SendMessage(sock.get(), request, fds));
  auto reply = TRY(ReceiveMessage(sock.get()));
  if (!reply) return std::unexpected(Errorf("control {}: the sandbox closed the connection", method));
  if (auto error = reply->body.find("error"); error != reply->body.end())
    return std::unexpected(Error(0, error->is_string() ? error->get<std::string>() : error->dump()));
  Message out;
  out.body = reply->body.value("result", nlohmann::json::object());
  out.fds = std::move(reply->fds);
  return out;
}

}  // namespace cocoon::control
