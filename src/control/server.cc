// Accept loop and dispatch.
#include "control/server.h"

#include <poll.h>
#include <sys/socket.h>

namespace cocoon::control {

Server::~Server() {
  Stop();
  std::lock_guard lock(threads_mu_);
  // Connection threads may still block in a handler (a `wait`): they end with the process.
  for (auto& thread : threads_) thread.detach();
}

void Server::Stop() {
  stopping_ = true;
  if (listener_) ::shutdown(listener_.get(), SHUT_RDWR);
}

nlohmann::json Server::Dispatch(const nlohmann::json& request, std::vector<UniqueFd>& fds) const {
  auto method = request.find("method");
  if (method == request.end() || !method->is_string()) return {{"error", "control request without a method"}};
  auto handler = handlers_.find(method->get<std::string>());
  if (handler == handlers_.end()) return {{"error", fmt::format("unknown control method {}", method->dump())}};
  nlohmann::json params = request.value("params", nlohmann::json::object());
  if (!params.is_object()) return {{"error", fmt::format("control {}: params must be an object", method->dump())}};
  auto result = handler->second(params, fds);
  if (!result) return {{"error", result.error().message()}};
  return {{"result", std::move(*result)}};
}

void Server::ServeConnection(UniqueFd conn) const {
  auto request = ReceiveMessage(conn.get());
  nlohmann::json reply;
  std::vector<UniqueFd> fds;
  if (!request) {
    reply = {{"error", request.error().message()}};
  } else if (!*request) {
    return;
  } else {
    fds = std::move((*request)->fds);
    reply = Dispatch((*request)->body, fds);
  }
  (void)SendMessage(conn.get(), reply);
}

Result<> Server::Serve() {
  while (!stopping_) {
    int conn = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (stopping_) break;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return std::unexpected(ErrnoError("accepting a control connection"));
    }
    std::lock_guard lock(threads_mu_);
    threads_.emplace_back([this, fd = UniqueFd(conn)]() mutable { ServeConnection(std::move(fd)); });
  }
  return {};
}

}  // namespace cocoon::control
