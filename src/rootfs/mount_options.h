// OCI mount options ("ro", "nosuid", "rslave", "size=64m") turned into mount(2) flags and data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace cocoon::rootfs {

struct MountOptions {
  unsigned long flags = 0;        // MS_* flags the options set (MS_BIND, MS_RDONLY, ...)
  unsigned long cleared = 0;      // MS_* flags an option turned off ("rw", "suid"), kept for remounts
  unsigned long propagation = 0;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, with MS_REC for r-variants
  std::vector<std::string> data;  // options the kernel flags do not know, for the file system itself
  bool tmpcopyup = false;         // tmpfs: copy what was at the destination into the new mount

  bool IsBind() const;
  bool IsRecursive() const;
  // The data options joined with commas, as mount(2) wants them.
  std::string Data() const;
};

// Splits options into flags (by table), propagation and file-system data. The last of two
// contradicting options wins, as with mount(8). Unknown options go to `data` untouched.
MountOptions ParseMountOptions(const std::vector<std::string>& options);

// Every option name the tables know (flags, propagation, tmpcopyup), for `features`.
std::vector<std::string> KnownMountOptions();

// "shared", "rslave", ... as the flags of a propagation-only mount(2) call.
// Used for linux.rootfsPropagation, where an unknown name is an error.
Result<unsigned long> ParsePropagation(std::string_view name);

// The flags that a bind remount must keep because the kernel locks them (user namespaces) or
// because they are atime modes: MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, atime flags...
// read from statvfs(2) of `path`.
Result<unsigned long> CurrentMountFlags(const std::string& path);

}  // namespace cocoon::rootfs
