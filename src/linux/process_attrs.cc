// prctl, /proc/self/oom_score_adj, sethostname, setdomainname.
#include "linux/process_attrs.h"

#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <string>

#include "base/file.h"

namespace cocoon::linux {
namespace {

constexpr int kMinOomScoreAdj = -1000;
constexpr int kMaxOomScoreAdj = 1000;
// The kernel's __NEW_UTS_LEN: the longest host or domain name.
constexpr size_t kMaxUtsName = sizeof(utsname::nodename) - 1;

Result<> CheckUtsName(std::string_view what, std::string_view name) {
  if (name.size() > kMaxUtsName)
    return std::unexpected(Errorf("{} \"{}\" is longer than {} bytes", what, name, kMaxUtsName));
  return {};
}

}  // namespace

Result<> SetNoNewPrivileges() {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return std::unexpected(ErrnoError("prctl(PR_SET_NO_NEW_PRIVS)"));
  return {};
}

Result<> SetOomScoreAdj(int score) {
  if (score < kMinOomScoreAdj || score > kMaxOomScoreAdj)
    return std::unexpected(Errorf("process.oomScoreAdj {} is out of range ({}..{})", score,
                                  kMinOomScoreAdj, kMaxOomScoreAdj));
  return WithContext(WriteFile("/proc/self/oom_score_adj", std::to_string(score)),
                     fmt::format("setting oomScoreAdj to {}", score));
}

Result<> SetHostname(std::string_view name) {
  TRY(CheckUtsName("hostname", name));
  if (sethostname(name.data(), name.size()) != 0)
    return std::unexpected(ErrnoError(fmt::format("sethostname(\"{}\")", name)));
  return {};
}

Result<> SetDomainname(std::string_view name) {
  TRY(CheckUtsName("domainname", name));
  if (setdomainname(name.data(), name.size()) != 0)
    return std::unexpected(ErrnoError(fmt::format("setdomainname(\"{}\")", name)));
  return {};
}

}  // namespace cocoon::linux
