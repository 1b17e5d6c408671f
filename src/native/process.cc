// Becoming the container's process: the ordered privilege drop before execve.
#include "native/process.h"

#include <linux/close_range.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "linux/capabilities.h"
#include "linux/lsm.h"
#include "linux/process_attrs.h"
#include "linux/rlimits.h"
#include "linux/seccomp_filter.h"
#include "linux/user.h"

namespace cocoon::native {
namespace {

constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string_view PathFromEnv(const std::vector<std::string>& env) {
  for (const auto& entry : env)
    if (entry.starts_with("PATH=")) return std::string_view(entry).substr(5);
  return kDefaultPath;
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<std::string> ResolveExecutable(const oci::Process& process) {
  if (process.args.empty()) return std::unexpected(MakeError("process.args must not be empty"));
  const std::string& name = process.args[0];
  if (name.find('/') != std::string::npos) {
    if (!IsExecutableFile(name)) {
      struct stat st;
      int err = ::stat(name.c_str(), &st) < 0 ? errno : EACCES;
      return std::unexpected(ErrnoError(fmt::format("exec: \"{}\"", name), err));
    }
    return name;
  }
  std::string_view path = PathFromEnv(process.env);
  while (true) {
    size_t colon = path.find(':');
    std::string dir(path.substr(0, colon));
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    path.remove_prefix(colon + 1);
  }
  return std::unexpected(Errorf("exec: \"{}\": executable file not found in $PATH", name));
}

Result<> ApplyProcessAttributes(const oci::Process& process) {
  TRY(linux::ApplyRlimits(process.rlimits));
  if (process.oom_score_adj) TRY(linux::SetOomScoreAdj(*process.oom_score_adj));
  TRY(linux::ApplyLsm(process));
  return {};
}

Result<> BecomeProcessAndExec(const ProcessPlan& plan, const std::string& executable) {
  const oci::Process& process = plan.process;
  if (::chdir(process.cwd.c_str()) < 0)
    return std::unexpected(ErrnoError(fmt::format("chdir to cwd (\"{}\") set in config.json", process.cwd)));
  // Our own fds are close-on-exec; anything else inherited must not leak in.
  unsigned first_closed = 3 + static_cast<unsigned>(plan.preserve_fds);
  if (::syscall(SYS_close_range, first_closed, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return std::unexpected(ErrnoError("close_range"));

  oci::Capabilities caps = process.capabilities.value_or(oci::Capabilities{});
  TRY(linux::DropBoundingSet(caps));
  // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: do it while
  // we still have it. With no_new_privs, as late as possible (runc's order).
  std::optional<linux::SeccompFilter> filter;
  if (plan.seccomp) filter.emplace(TRY(linux::SeccompFilter::Compile(*plan.seccomp)));
  if (filter && !process.no_new_privileges) TRY(filter->Load());
  TRY(linux::SwitchUser(process.user));
  TRY(linux::ApplyCapabilities(caps));
  if (process.no_new_privileges) TRY(linux::SetNoNewPrivileges());
  if (filter && process.no_new_privileges) TRY(filter->Load());

  std::vector<char*> argv = CStrings(process.args);
  std::vector<char*> envp = CStrings(process.env);
  ::execve(executable.c_str(), argv.data(), envp.data());
  return std::unexpected(ErrnoError(fmt::format("exec {}", executable)));
}

}  // namespace cocoon::native
