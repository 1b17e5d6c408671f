// Tests for sysctl namespace rules, key paths, and writes inside fresh namespaces.
#include "linux/sysctls.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include "base/file.h"
#include "child_process.h"

namespace cocoon::linux {
namespace {

using test_util::Report;
using test_util::RunInChild;

oci::Spec SpecWith(std::vector<oci::Namespace> namespaces, std::string hostname = "") {
  oci::Spec spec;
  spec.hostname = std::move(hostname);
  spec.linux.emplace();
  spec.linux->namespaces = std::move(namespaces);
  return spec;
}

std::string ValidateError(const std::string& key, const oci::Spec& spec) {
  auto result = ValidateSysctl({{key, "1"}}, spec);
  return result ? std::string("valid") : result.error().message();
}

TEST(SysctlsTest, IpcKeysNeedTheIpcNamespace) {
  oci::Spec with = SpecWith({{.type = "ipc"}});
  oci::Spec without = SpecWith({{.type = "network"}});
  for (const char* key : {"kernel.msgmax", "kernel.sem", "kernel.shmmax", "kernel.shm_rmid_forced",
                          "fs.mqueue.msg_max", "kernel/shmall"}) {
    EXPECT_EQ(ValidateError(key, with), "valid") << key;
    EXPECT_EQ(
        ValidateError(key, without),
        fmt::format("linux.sysctl: sysctl \"{}\" is not allowed in the host's ipc namespace", key));
  }
}

TEST(SysctlsTest, NetKeysNeedTheNetworkNamespace) {
  EXPECT_EQ(ValidateError("net.ipv4.ip_forward", SpecWith({{.type = "network"}})), "valid");
  EXPECT_EQ(ValidateError("net/ipv4/conf/eth0.100/forwarding", SpecWith({{.type = "network"}})),
            "valid");
  EXPECT_EQ(ValidateError("net.ipv4.ip_forward", SpecWith({{.type = "ipc"}})),
            "linux.sysctl: sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network "
            "namespace");
}

TEST(SysctlsTest, JoiningTheHostNetworkNamespaceDoesNotCount) {
  oci::Spec spec = SpecWith({{.type = "network", .path = "/proc/self/ns/net"}});
  EXPECT_NE(ValidateError("net.ipv4.ip_forward", spec).find("host's network namespace"),
            std::string::npos);
}

TEST(SysctlsTest, UtsKeys) {
  EXPECT_EQ(ValidateError("kernel.domainname", SpecWith({{.type = "uts"}})), "valid");
  EXPECT_EQ(ValidateError("kernel.hostname", SpecWith({{.type = "uts"}})), "valid");
  EXPECT_NE(ValidateError("kernel.hostname", SpecWith({{.type = "uts"}}, "box")).find("conflicts"),
            std::string::npos);
  EXPECT_NE(ValidateError("kernel.domainname", SpecWith({})).find("uts namespace"),
            std::string::npos);
}

TEST(SysctlsTest, OtherKeysAreRejected) {
  oci::Spec all = SpecWith({{.type = "ipc"}, {.type = "network"}, {.type = "uts"}});
  EXPECT_EQ(ValidateError("vm.swappiness", all),
            "linux.sysctl: sysctl \"vm.swappiness\" is not in a separate kernel namespace");
  EXPECT_NE(ValidateError("kernel.pid_max", all).find("not in a separate kernel namespace"),
            std::string::npos);
  EXPECT_NE(ValidateError("net..x", all).find("invalid key"), std::string::npos);
  EXPECT_NE(ValidateError("net/../../etc", all).find("invalid key"), std::string::npos);
}

TEST(SysctlsTest, PathsForBothKeyForms) {
  EXPECT_EQ(*SysctlPath("net.ipv4.ip_forward"), "/proc/sys/net/ipv4/ip_forward");
  EXPECT_EQ(*SysctlPath("net/ipv4/conf/eth0.100/forwarding"),
            "/proc/sys/net/ipv4/conf/eth0.100/forwarding");
  EXPECT_FALSE(SysctlPath(""));
  EXPECT_FALSE(SysctlPath("net."));
  EXPECT_FALSE(SysctlPath("/net/ipv4"));
}

TEST(SysctlsTest, ApplyWritesInsideNewNamespaces) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to create namespaces";
  EXPECT_EQ(
      RunInChild([] {
        if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) != 0)
          return std::string("unshare failed");
        auto applied = ApplySysctl({{"net.ipv4.ip_forward", "1"},
                                    {"kernel/shmmni", "1234"},
                                    {"kernel.domainname", "cocoon.test"}});
        if (!applied) return Report(applied, "ApplySysctl");
        for (auto [path, want] : {std::pair{"/proc/sys/net/ipv4/ip_forward", "1\n"},
                                  std::pair{"/proc/sys/kernel/shmmni", "1234\n"},
                                  std::pair{"/proc/sys/kernel/domainname", "cocoon.test\n"}}) {
          auto text = ReadFile(path);
          if (!text) return Report(text, path);
          if (*text != want) return fmt::format("{} is {:?}", path, *text);
        }
        return std::string();
      }),
      "");
}

TEST(SysctlsTest, ApplyErrorNamesTheKey) {
  auto result = ApplySysctl({{"net.no_such_key_anywhere", "1"}});
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().message().starts_with("sysctl \"net.no_such_key_anywhere\": opening "))
      << result.error().message();
}

}  // namespace
}  // namespace cocoon::linux
