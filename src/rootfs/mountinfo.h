// /proc/self/mountinfo, parsed: which mounts exist, their roots, types and propagation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace cocoon::rootfs {

struct MountInfo {
  int id = 0, parent_id = 0;
  std::string root;         // the directory of the file system that is mounted ("/" or a subdir)
  std::string mount_point;  // where, octal escapes (\040) decoded
  std::string options;      // per-mount options: "rw,nosuid,relatime"
  std::vector<std::string> optional;  // "shared:1", "master:2", ...
  std::string fs_type;
  std::string source;
  std::string super_options;  // per-superblock options: "rw,size=64k", "rw,cpu,cpuacct"

  bool IsShared() const;
};

// Parses the text of a mountinfo file; malformed lines are an error naming the line.
Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text);
// Reads and parses /proc/self/mountinfo.
Result<std::vector<MountInfo>> ReadMountInfo();

// The mount that holds `path` (an absolute, symlink-free path): the longest mount point that
// is `path` or a parent of it; among equal ones the last (topmost). nullptr if none.
const MountInfo* FindMountOf(const std::vector<MountInfo>& mounts, std::string_view path);

}  // namespace cocoon::rootfs
