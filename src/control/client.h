// The caller's side of the control RPC: one connection per call, as the CLI
// makes one call per command (and `wait` may block for the container's life).
#pragma once

#include <span>
#include <string>

#include "control/message.h"

namespace cocoon::control {

class Client {
 public:
  // The sandbox's socket `name` in the container's state directory `dir`.
  Client(std::string dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {}

  // Sends `method` with `params` and `fds`; returns the reply's result (and
  // any fds it carries), or the sandbox's error as an Error.
  Result<Message> Call(std::string_view method, const nlohmann::json& params = nlohmann::json::object(),
                       std::span<const int> fds = {}) const;

 private:
  std::string dir_;
  std::string name_;
};

}  // namespace cocoon::control
