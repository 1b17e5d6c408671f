// The container's init process on the native platform: runs inside the new
// namespaces, builds the root file system, reports to the runtime, waits on
// the exec FIFO for `start`, then becomes the user's process.
#pragma once

#include <string>

#include "native/process.h"
#include "native/sync.h"
#include "oci/spec.h"

namespace cocoon::native {

struct InitContext {
  const oci::Spec* spec = nullptr;
  std::string id;
  std::string rootfs;  // absolute
  std::string bundle;  // absolute
  bool no_pivot = false;
  bool no_new_keyring = false;
  bool in_user_namespace = false;
  bool new_cgroup_namespace = false;
  int exec_fifo_fd = -1;  // O_PATH fd of the exec FIFO
  ProcessPlan plan;
  const SyncSocket* sync = nullptr;
};

// Never returns on success (execve). On failure before `create` finished it
// reports the error over `sync`; after that it prints it on stderr. Then exits.
[[noreturn]] void RunContainerInit(const InitContext& ctx);

}  // namespace cocoon::native
