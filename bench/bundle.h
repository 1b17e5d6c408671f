// The benchmark's busybox-static OCI bundles: one shared root filesystem and
// a config.json per container (so each gets its own cgroupsPath).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"

namespace cocoon::bench {

// Debian 12's crun 1.8.1 rejects ociVersion 1.2.0 and newer; all three
// runtimes accept this one.
inline constexpr char kOciVersion[] = "1.0.2";

struct ContainerConfig {
  std::vector<std::string> args;  // e.g. {"/bin/true"}
  std::string rootfs;             // absolute path, shared by all containers
  std::string cgroups_path;       // absolute, unique per container
};

// Makes `rootfs` with busybox-static copied to bin/busybox, bin/true,
// bin/sleep and bin/sh linked to it, and the usual mount points.
Result<> MakeBusyboxRootfs(const std::string& rootfs, const std::string& busybox);

// runc's default `spec` (pid, ipc, uts and mount namespaces, no network
// namespace, no terminal, read-only root, masked and read-only paths), with
// the given process arguments, root and cgroup.
nlohmann::json MakeConfig(const ContainerConfig& config);

// Creates `bundle_dir` (if missing) and writes its config.json.
Result<> WriteBundle(const std::string& bundle_dir, const ContainerConfig& config);

}  // namespace cocoon::bench
