// SwitchUser with raw id syscalls.
#include "linux/user.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file.h"

namespace cocoon::linux {
namespace {

Result<> SetKeepCaps(bool keep) {
  if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) != 0)
    return std::unexpected(
        ErrnoError(keep ? "prctl(PR_SET_KEEPCAPS, 1)" : "prctl(PR_SET_KEEPCAPS, 0)"));
  return {};
}

Result<> SetGroups(const std::vector<uint32_t>& gids) {
  std::vector<gid_t> list(gids.begin(), gids.end());
  if (syscall(SYS_setgroups, list.size(), list.data()) != 0)
    return std::unexpected(ErrnoError(fmt::format("setgroups({})", fmt::join(gids, ","))));
  return {};
}

}  // namespace

bool SetgroupsAllowed() {
  Result<std::string> text = ReadFile("/proc/self/setgroups");
  // No file: a kernel before 3.19, where setgroups is always allowed.
  if (!text) return true;
  return text->find("deny") == std::string::npos;
}

Result<> SwitchUser(const oci::User& user) {
  TRY(SetKeepCaps(true));
  // Root's own supplementary groups must not leak in, so an empty list is set too.
  if (SetgroupsAllowed()) {
    TRY(SetGroups(user.additional_gids));
  } else if (!user.additional_gids.empty()) {
    return std::unexpected(
        MakeError("process.user.additionalGids: setgroups is denied in this user namespace"));
  }
  if (syscall(SYS_setresgid, user.gid, user.gid, user.gid) != 0)
    return std::unexpected(ErrnoError(fmt::format("setresgid({})", user.gid)));
  if (syscall(SYS_setresuid, user.uid, user.uid, user.uid) != 0)
    return std::unexpected(ErrnoError(fmt::format("setresuid({})", user.uid)));
  TRY(SetKeepCaps(false));
  umask(user.umask ? static_cast<mode_t>(*user.umask) : kDefaultUmask);
  return {};
}

}  // namespace cocoon::linux
