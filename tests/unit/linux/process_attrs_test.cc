// Tests for no_new_privs, oom_score_adj, hostname and domainname in forked children.
#include "linux/process_attrs.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/file.h"
#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

TEST(ProcessAttrsTest, NoNewPrivileges) {
  EXPECT_EQ(RunInChild([] {
              auto set = SetNoNewPrivileges();
              if (!set) return Report(set, "SetNoNewPrivileges");
              return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? std::string()
                                                                 : std::string("not set");
            }),
            "");
}

TEST(ProcessAttrsTest, OomScoreAdjRange) {
  EXPECT_EQ(SetOomScoreAdj(1001).error().message(),
            "process.oomScoreAdj 1001 is out of range (-1000..1000)");
  EXPECT_FALSE(SetOomScoreAdj(-1001));
}

TEST(ProcessAttrsTest, OomScoreAdjIsWritten) {
  EXPECT_EQ(RunInChild([] {
              // Raising needs no privilege (lowering needs CAP_SYS_RESOURCE).
              auto current = ReadFile("/proc/self/oom_score_adj");
              if (!current) return Report(current, "read");
              int target = std::min(1000, std::stoi(*current) + 100);
              auto set = SetOomScoreAdj(target);
              if (!set) return Report(set, "SetOomScoreAdj");
              auto now = ReadFile("/proc/self/oom_score_adj");
              if (!now) return Report(now, "read back");
              return std::stoi(*now) == target ? std::string() : "oom_score_adj is " + *now;
            }),
            "");
}

TEST(ProcessAttrsTest, OverlongNamesAreErrors) {
  std::string long_name(65, 'x');
  EXPECT_EQ(SetHostname(long_name).error().message(),
            fmt::format("hostname \"{}\" is longer than 64 bytes", long_name));
  EXPECT_NE(SetDomainname(long_name).error().message().find("longer than 64 bytes"),
            std::string::npos);
}

TEST(ProcessAttrsTest, HostnameAndDomainnameInANewUtsNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create a uts namespace";
  EXPECT_EQ(RunInChild([] {
              if (unshare(CLONE_NEWUTS) != 0) return std::string("unshare(CLONE_NEWUTS) failed");
              auto host = SetHostname("cocoon-box");
              if (!host) return Report(host, "SetHostname");
              auto domain = SetDomainname("cocoon.example");
              if (!domain) return Report(domain, "SetDomainname");
              struct utsname name {};
              uname(&name);
              if (std::string(name.nodename) != "cocoon-box")
                return std::string("nodename ") + name.nodename;
              if (std::string(name.domainname) != "cocoon.example")
                return std::string("domainname ") + name.domainname;
              return std::string();
            }),
            "");
}

}  // namespace
}  // namespace cocoon::linux
