// The stdio-and-host-root stand-in for the vfs.
#include "kernel/task/host_stdio_files.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/file.h"

namespace cocoon::kernel {

Result<std::shared_ptr<HostStdioFiles>> HostStdioFiles::Create(const std::string& root, std::array<int, 3> stdio) {
  auto fd = TRY(OpenFile(root, O_PATH | O_DIRECTORY));
  return std::shared_ptr<HostStdioFiles>(new HostStdioFiles(std::make_shared<UniqueFd>(std::move(fd)), stdio));
}

std::shared_ptr<TaskFiles> HostStdioFiles::Fork(bool share) {
  // Sharing (CLONE_FILES) needs the vfs's FD table; a copy is what fork wants.
  (void)share;
  return std::shared_ptr<HostStdioFiles>(new HostStdioFiles(*this));
}

int64_t HostStdioFiles::ReadExecutable(const std::string& path, std::string* contents) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string relative = path;
  while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
  if (relative.empty()) return -EACCES;
  long fd = syscall(SYS_openat2, root_->get(), relative.c_str(), &how, sizeof(how));
  if (fd < 0) return -errno;
  UniqueFd file(static_cast<int>(fd));
  struct stat st;
  if (fstat(file.get(), &st) != 0) return -errno;
  if (S_ISDIR(st.st_mode)) return -EACCES;
  if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) return -EACCES;
  auto data = ReadFd(file.get());
  if (!data) return -EIO;
  *contents = std::move(*data);
  return 0;
}

}  // namespace cocoon::kernel
