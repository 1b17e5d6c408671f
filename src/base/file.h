// Whole-file reads and writes with errors that name the path.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon {

Result<std::string> ReadFile(const std::string& path);
Result<std::string> ReadFd(int fd);
// Writes `data` to an existing or new file (truncating), as for /proc and cgroup files.
Result<> WriteFile(const std::string& path, std::string_view data, int flags = 0, mode_t mode = 0644);
// Writes via a temporary file and rename(2), so readers see old or new, never half.
Result<> WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode = 0600);
Result<> WriteAll(int fd, std::string_view data);
// open(2) with O_CLOEXEC and an error naming the path.
Result<UniqueFd> OpenFile(const std::string& path, int flags, mode_t mode = 0);
// mkdir -p.
Result<> MakeDirs(const std::string& path, mode_t mode = 0755);
bool PathExists(const std::string& path);
// The target of the symlink at `path`.
Result<std::string> ReadLink(const std::string& path);

}  // namespace cocoon
