// The `cocoon gofer` process: confines itself to the container's files, then
// serves them to the sandbox's kernel over one socket until it closes.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"
#include "gofer/server.h"

namespace cocoon::gofer {

struct GoferMount {
  std::string host_path;       // a directory on the host
  std::string container_path;  // where the guest sees it; Attach's path
  bool read_only = false;
};

struct GoferOptions {
  std::string rootfs;  // host path of the container's root directory
  bool read_only = false;
  std::vector<GoferMount> mounts;
  int socket_fd = -1;  // connected SOCK_SEQPACKET socket to the kernel (not owned)
};

// Confines the calling process (see Confine), serves `socket_fd` until the
// kernel closes it, and returns the exit code (0). Needs root on the host.
Result<int> RunGofer(const GoferOptions& options);

// What a confined gofer keeps: its root and mount directories as fds.
struct ConfinedTrees {
  UniqueFd root;
  std::vector<ServedMount> mounts;
};

// The confinement of RunGofer, in order: a private mount namespace, the
// rootfs and mount directories opened, chroot into the rootfs, RLIMIT_NOFILE
// raised, every capability dropped but those serving files as root needs
// (kKeptCapabilities), no_new_privs, and the seccomp allow-list
// (AllowedSyscalls; anything else kills the process). Irreversible.
Result<ConfinedTrees> Confine(const GoferOptions& options);

// The host syscalls a confined gofer may make: the server's file operations
// plus what the C++ runtime, allocator and logging use. Data, not code.
std::span<const std::string_view> AllowedSyscalls();

// Capabilities the gofer keeps: serving files of any owner and mode as root.
std::span<const int> KeptCapabilities();

}  // namespace cocoon::gofer
