// procfs: /proc/self, /proc/<pid>/{stat,status,cmdline,maps,fd/,exe,cwd,root},
// meminfo, cpuinfo, uptime, loadavg, mounts. The contents come from a
// ProcSource that the kernel implements; files are generated when opened.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/vfs/file.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::Ref;

class ProcSource {
 public:
  virtual ~ProcSource() = default;
  // The pid of the calling task (/proc/self), or -ENOENT.
  virtual ErrOr<int> SelfPid() = 0;
  virtual std::vector<int> Pids() = 0;
  // /proc/<pid>/<name> for the per-process files (stat, status, cmdline,
  // maps, environ); ENOENT for an unknown pid or name.
  virtual ErrOr<std::string> ProcessFile(int pid, std::string_view name) = 0;
  // /proc/<pid>/{exe,cwd,root} targets.
  virtual ErrOr<std::string> ProcessLink(int pid, std::string_view name) = 0;
  virtual ErrOr<std::vector<int>> Fds(int pid) = 0;
  virtual ErrOr<std::string> FdTarget(int pid, int fd) = 0;
  // The open file behind /proc/<pid>/fd/<fd>, which following the link reaches.
  virtual ErrOr<Ref<vfs::FileDescription>> FdFile(int pid, int fd) = 0;
  // Top-level files (meminfo, cpuinfo, uptime, loadavg, mounts...).
  virtual ErrOr<std::string> GlobalFile(std::string_view name) = 0;
};

// The per-process and top-level names procfs lists, as data.
inline constexpr std::string_view kProcProcessFiles[] = {"stat", "status", "cmdline", "comm", "maps", "environ"};
inline constexpr std::string_view kProcProcessLinks[] = {"exe", "cwd", "root"};
inline constexpr std::string_view kProcGlobalFiles[] = {"meminfo", "cpuinfo", "uptime", "loadavg", "mounts",
                                                        "filesystems", "version"};

Ref<vfs::FileSystem> MakeProcFs(std::shared_ptr<ProcSource> source);

}  // namespace cocoon::kernel::fs
