// start, kill, exec and ps of sandboxed containers: through the control RPC
// of their sandbox. (state, list, pause, resume, update, events and delete
// need nothing the native platform's code does not already do with the
// sandbox's pid and cgroup.)
#pragma once

#include <nlohmann/json.hpp>

#include "container/store.h"
#include "native/lifecycle.h"

namespace cocoon::sandbox {

inline constexpr std::string_view kPlatformAnnotation = "dev.cocoon.platform";

// The platform of a new container: the bundle's dev.cocoon.platform
// annotation if it has one, else the --platform flag. Errors name the value.
Result<std::string> SelectPlatform(const std::string& flag, const std::string& bundle);
bool KnownPlatform(std::string_view platform);
// Whether `platform` runs in a sandbox (anything but native).
bool IsSandboxed(std::string_view platform);
// The known platforms, for messages and `features`.
std::string_view PlatformNames();

Result<> Start(container::Store& store, const std::string& id);
Result<> Kill(container::Store& store, const std::string& id, int signal, bool all);
Result<int> Exec(container::Store& store, const std::string& id, const native::ExecOptions& options);
// The guest's processes: [{pid, ppid, pgid, threads, state, cmd}].
Result<nlohmann::json> Ps(container::Store& store, const std::string& id);

}  // namespace cocoon::sandbox
