// Path resolution: from a root and a starting directory, through mounts and
// symlinks, with Linux's rules (40 symlinks, ".." stops at the root, trailing
// slashes mean "a directory").
#pragma once

#include <string>
#include <string_view>

#include "kernel/vfs/errno_or.h"
#include "kernel/vfs/mount.h"
#include "kernel/vfs/types.h"

namespace cocoon::kernel::vfs {

inline constexpr int kMaxSymlinks = 40;    // MAXSYMLINKS
inline constexpr size_t kNameMax = 255;    // NAME_MAX
inline constexpr size_t kPathMax = 4096;   // PATH_MAX, including the NUL

// Where and as whom a path is resolved.
struct PathContext {
  VirtualDentry root;   // the task's root: ".." and absolute paths stop here
  VirtualDentry start;  // relative paths start here: the cwd or a dirfd
  Creds creds;
};

// A path split into its resolved parent directory and its last component.
struct ParentAndName {
  VirtualDentry parent;
  std::string name;  // "" when the path names the root itself ("/", "//")
  bool trailing_slash = false;

  bool IsDotOrDotDot() const { return name == "." || name == ".."; }
};

// Resolves every component but the last (following symlinks). `symlinks`
// counts links followed so far, shared across nested resolutions.
ErrOr<ParentAndName> ResolveParent(const PathContext& ctx, std::string_view path, int* symlinks);

// Resolves a whole path. A final symlink is followed when `follow_final`
// (not O_NOFOLLOW / AT_SYMLINK_NOFOLLOW) or the path ends in a slash.
ErrOr<VirtualDentry> Resolve(const PathContext& ctx, std::string_view path, bool follow_final,
                             int* symlinks = nullptr);

// One step: `name` in directory `dir` (".", ".." and mounts handled), after
// checking search permission on `dir`. Does not follow a symlink result.
ErrOr<VirtualDentry> LookupChild(const PathContext& ctx, const VirtualDentry& dir, std::string_view name);

// The dentry `name` (not "." or "..") in directory `dir`, in dir's own mount:
// no mount crossing (unlink, rmdir and rename act on the mountpoint itself).
// Checks search permission on `dir`.
ErrOr<Ref<Dentry>> LookupDentry(const PathContext& ctx, const VirtualDentry& dir, std::string_view name);

// The target of symlink `link`, found in directory `dir`.
ErrOr<VirtualDentry> FollowLink(const PathContext& ctx, const VirtualDentry& dir, const VirtualDentry& link,
                                int* symlinks);

// The mount on top of `vd`, repeatedly, or `vd` itself.
VirtualDentry CrossMounts(VirtualDentry vd);

// The absolute path of `target` as seen from `root` (getcwd, /proc/<pid>/fd):
// " (deleted)" appended for a removed file, ENOENT... never: a location not
// under `root` is shown from the top of its mount tree.
ErrOr<std::string> PathOf(const VirtualDentry& root, const VirtualDentry& target);

}  // namespace cocoon::kernel::vfs
