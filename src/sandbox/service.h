// The sandbox's control methods, over its kernel: start the container's init,
// exec, wait, signal, ps, events, destroy, dump, logging (runsc's controller
// has the same set). Each runs on the control server's connection thread.
#pragma once

#include <condition_variable>
#include <mutex>

#include "control/server.h"
#include "kernel/kernel.h"
#include "kernel/vfs/mount.h"
#include "oci/spec.h"

namespace cocoon::sandbox {

class Service {
 public:
  Service(kernel::Kernel& kernel, kernel::vfs::Ref<kernel::vfs::MountNamespace> mounts, oci::Process init)
      : kernel_(kernel), mounts_(std::move(mounts)), init_(std::move(init)) {}

  void Register(control::Server& server);
  // Blocks until `start` ran init (true) or `destroy` came first (false).
  bool WaitForStart();
  // Blocks until no request is being answered, for up to a second, so that
  // the replies to `wait` get out before the sandbox exits.
  void DrainRequests();

 private:
  Result<nlohmann::json> Start();
  Result<nlohmann::json> Exec(const nlohmann::json& params, std::vector<UniqueFd>& fds);
  Result<nlohmann::json> Wait(const nlohmann::json& params);
  Result<nlohmann::json> Signal(const nlohmann::json& params);
  Result<nlohmann::json> Ps();
  Result<nlohmann::json> Events();
  Result<nlohmann::json> Destroy();
  Result<nlohmann::json> Logging(const nlohmann::json& params);

  kernel::Kernel& kernel_;
  kernel::vfs::Ref<kernel::vfs::MountNamespace> mounts_;
  oci::Process init_;
  std::mutex mu_;
  std::condition_variable changed_;
  enum class Phase { kCreated, kStarted, kDestroyed } phase_ = Phase::kCreated;
  int in_flight_ = 0;
};

}  // namespace cocoon::sandbox
