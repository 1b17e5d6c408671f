// The sandbox's side of the control RPC: accepts connections on a listening
// socket and answers each request with the handler registered for its method,
// each connection on its own thread (`wait` blocks while others are served).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "control/message.h"

namespace cocoon::control {

// A handler gets the request's params and fds; its result becomes the reply's
// "result", its error the reply's "error".
using Handler = std::function<Result<nlohmann::json>(const nlohmann::json& params, std::vector<UniqueFd>& fds)>;

class Server {
 public:
  explicit Server(UniqueFd listener) : listener_(std::move(listener)) {}
  ~Server();

  void Handle(std::string method, Handler handler) { handlers_[std::move(method)] = std::move(handler); }
  // Serves until Stop(); returns an error only if accepting fails.
  Result<> Serve();
  // Makes Serve return (from any thread, a handler included).
  void Stop();

  // Answers one request (also the unit a fuzzer drives).
  nlohmann::json Dispatch(const nlohmann::json& request, std::vector<UniqueFd>& fds) const;

 private:
  void ServeConnection(UniqueFd conn) const;

  UniqueFd listener_;
  std::map<std::string, Handler, std::less<>> handlers_;
  std::atomic<bool> stopping_{false};
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
};

}  // namespace cocoon::control
