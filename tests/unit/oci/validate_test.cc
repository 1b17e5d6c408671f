// Tests for ValidateSpec: a valid spec passes, and each rule names its field.
#include "oci/validate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "oci/parse.h"

namespace cocoon::oci {
namespace {

constexpr std::string_view kValidSpec = R"json({
  "ociVersion": "1.0.2-dev",
  "root": {"path": "rootfs"},
  "process": {"args": ["sh"], "cwd": "/", "user": {"uid": 0, "gid": 0}},
  "hostname": "box",
  "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
  "hooks": {"prestart": [{"path": "/bin/true", "timeout": 3}]},
  "linux": {
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}],
    "sysctl": {"net.ipv4.ip_forward": "1", "kernel.shmmax": "4096", "fs.mqueue.msg_max": "10"},
    "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229}],
    "resources": {"devices": [{"allow": false, "access": "rwm"},
                              {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}]},
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "rootfsPropagation": "rprivate",
    "personality": {"domain": "LINUX"}
  }
})json";

class ValidateSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bundle_ = std::filesystem::temp_directory_path() /
              ("cocoon-oci-validate-" + std::to_string(::getpid()));
    std::filesystem::create_directories(bundle_ / "rootfs");
    auto spec = ParseSpec(kValidSpec);
    ASSERT_TRUE(spec) << spec.error().message();
    spec_ = *spec;
  }
  void TearDown() override { std::filesystem::remove_all(bundle_); }

  // The validation error of spec_, or "" when it is valid.
  std::string Error() {
    auto result = ValidateSpec(spec_, bundle_);
    return result ? "" : result.error().message();
  }
  std::vector<Namespace>& Namespaces() { return spec_.linux->namespaces; }
  void RemoveNamespace(const std::string& type) {
    std::erase_if(Namespaces(), [&](const Namespace& ns) { return ns.type == type; });
  }

  std::filesystem::path bundle_;
  Spec spec_;
};

TEST_F(ValidateSpecTest, AcceptsAValidSpec) { EXPECT_EQ(Error(), ""); }

TEST_F(ValidateSpecTest, AcceptsAnAbsoluteRootPath) {
  spec_.root->path = (bundle_ / "rootfs").string();
  EXPECT_EQ(Error(), "");
  EXPECT_EQ(RootfsPath(spec_, "/elsewhere"), (bundle_ / "rootfs").string());
  spec_.root->path = "rootfs";
  EXPECT_EQ(RootfsPath(spec_, "/b"), "/b/rootfs");
}

TEST_F(ValidateSpecTest, RequiresVersionRootAndProcess) {
  Spec copy = spec_;
  spec_.oci_version.clear();
  EXPECT_EQ(Error(), "ociVersion: missing");
  spec_ = copy;
  spec_.root.reset();
  EXPECT_EQ(Error(), "root: missing");
  spec_ = copy;
  spec_.root->path.clear();
  EXPECT_EQ(Error(), "root.path: missing");
  spec_ = copy;
  spec_.process.reset();
  EXPECT_EQ(Error(), "process: missing (a container needs a process to run)");
  spec_ = copy;
  spec_.process->args.clear();
  EXPECT_EQ(Error(), "process.args: must not be empty");
  spec_ = copy;
  spec_.process->cwd = "tmp";
  EXPECT_EQ(Error(), "process.cwd: must be an absolute path, got \"tmp\"");
  spec_.process->cwd.clear();
  EXPECT_EQ(Error(), "process.cwd: missing");
}

TEST_F(ValidateSpecTest, RootfsMustBeAnExistingDirectory) {
  spec_.root->path = "nope";
  EXPECT_EQ(Error(),
            "root.path: rootfs " + bundle_.string() + "/nope: ENOENT (No such file or directory)");
  ASSERT_TRUE(std::filesystem::create_directories(bundle_ / "dir"));
  { std::ofstream(bundle_ / "file") << "x"; }
  spec_.root->path = "file";
  EXPECT_EQ(Error(), "root.path: rootfs " + bundle_.string() + "/file is not a directory");
}

TEST_F(ValidateSpecTest, NamespaceTypesAreKnownAndUnique) {
  Namespaces()[2].type = "foo";
  EXPECT_EQ(Error(), "linux.namespaces[2].type: unknown namespace type \"foo\"");
  Namespaces()[2].type = "pid";
  EXPECT_EQ(Error(), "linux.namespaces[2].type: duplicate namespace type \"pid\"");
  Namespaces()[2] = {"ipc", "proc/1/ns/ipc"};
  EXPECT_EQ(Error(), "linux.namespaces[2].path: must be an absolute path, got \"proc/1/ns/ipc\"");
  EXPECT_TRUE(IsKnownNamespaceType("cgroup"));
  EXPECT_TRUE(IsKnownNamespaceType("time"));
  EXPECT_FALSE(IsKnownNamespaceType("net"));
}

TEST_F(ValidateSpecTest, IdMappingsGoWithAUserNamespace) {
  spec_.linux->uid_mappings = {{0, 1000, 1}};
  spec_.linux->gid_mappings = {{0, 1000, 1}};
  EXPECT_EQ(Error(), "linux.uidMappings: id mappings need a user namespace in linux.namespaces");
  Namespaces().push_back({"user", ""});
  EXPECT_EQ(Error(), "");
  spec_.linux->gid_mappings[0].size = 0;
  EXPECT_EQ(Error(), "linux.gidMappings[0].size: must be greater than zero");
  spec_.linux->gid_mappings.clear();
  EXPECT_EQ(Error(), "linux.gidMappings: required when creating a new user namespace");
  spec_.linux->uid_mappings.clear();
  EXPECT_EQ(Error(), "linux.uidMappings: required when creating a new user namespace");
  // Joining an existing user namespace needs no mappings.
  Namespaces().back().path = "/proc/1/ns/user";
  EXPECT_EQ(Error(), "");
}

TEST_F(ValidateSpecTest, MountDestinationsAreAbsolute) {
  spec_.mounts.push_back({.destination = "dev", .type = "tmpfs"});
  EXPECT_EQ(Error(), "mounts[1].destination: must be an absolute path, got \"dev\"");
  spec_.mounts[1].destination.clear();
  EXPECT_EQ(Error(), "mounts[1].destination: missing");
  spec_.mounts[1].destination = "/dev";
  spec_.mounts[1].uid_mappings = {{0, 0, 0}};
  EXPECT_EQ(Error(), "mounts[1].uidMappings[0].size: must be greater than zero");
}

TEST_F(ValidateSpecTest, HookPathsAreAbsoluteAndTimeoutsPositive) {
  spec_.hooks->poststop.push_back({.path = "true"});
  EXPECT_EQ(Error(), "hooks.poststop[0].path: must be an absolute path, got \"true\"");
  spec_.hooks->poststop[0].path = "/bin/true";
  spec_.hooks->poststop[0].timeout = 0;
  EXPECT_EQ(Error(), "hooks.poststop[0].timeout: must be greater than zero, got 0");
}

TEST_F(ValidateSpecTest, HostnameNeedsAUtsNamespace) {
  RemoveNamespace("uts");
  EXPECT_EQ(Error(), "hostname: setting the hostname needs a uts namespace in linux.namespaces");
  spec_.hostname.clear();
  spec_.domainname = "example.org";
  EXPECT_EQ(Error(),
            "domainname: setting the domainname needs a uts namespace in linux.namespaces");
  spec_.linux.reset();
  EXPECT_EQ(Error(),
            "domainname: setting the domainname needs a uts namespace in linux.namespaces");
}

TEST_F(ValidateSpecTest, TimeOffsetsNeedATimeNamespace) {
  spec_.linux->time_offsets["monotonic"] = {.secs = 5};
  EXPECT_EQ(Error(),
            "linux.timeOffsets: time offsets need a new time namespace in linux.namespaces");
  Namespaces().push_back({"time", ""});
  EXPECT_EQ(Error(), "");
  spec_.linux->time_offsets["monotonic"].nanosecs = 1'000'000'000;
  EXPECT_EQ(Error(),
            "linux.timeOffsets[\"monotonic\"].nanosecs: must be below 1000000000, got 1000000000");
  spec_.linux->time_offsets.clear();
  spec_.linux->time_offsets["realtime"] = {};
  EXPECT_EQ(Error(),
            "linux.timeOffsets[\"realtime\"]: unknown clock (expected monotonic or boottime)");
}

TEST_F(ValidateSpecTest, SysctlsMustBeNamespaced) {
  spec_.linux->sysctl["vm.swappiness"] = "10";
  EXPECT_EQ(Error(),
            "linux.sysctl[\"vm.swappiness\"]: sysctl is not in a separate kernel namespace");
  spec_.linux->sysctl.erase("vm.swappiness");
  RemoveNamespace("network");
  EXPECT_EQ(Error(),
            "linux.sysctl[\"net.ipv4.ip_forward\"]: sysctl needs a new network namespace "
            "in linux.namespaces");
  spec_.linux->sysctl.erase("net.ipv4.ip_forward");
  RemoveNamespace("ipc");
  EXPECT_EQ(Error(),
            "linux.sysctl[\"fs.mqueue.msg_max\"]: sysctl needs a new ipc namespace in "
            "linux.namespaces");
  spec_.linux->sysctl = {{"kernel.hostname", "x"}};
  EXPECT_EQ(Error(), "");
}

TEST_F(ValidateSpecTest, DevicesHaveAKnownTypeAndLiveUnderDev) {
  auto& dev = spec_.linux->devices[0];
  dev.type = "x";
  EXPECT_EQ(Error(), "linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)");
  dev.type = "p";
  dev.path = "/etc/passwd";
  EXPECT_EQ(Error(), "linux.devices[0].path: must be a path under /dev/, got \"/etc/passwd\"");
  dev.path = "/dev/../etc/passwd";
  EXPECT_EQ(Error(),
            "linux.devices[0].path: must be a path under /dev/, got \"/dev/../etc/passwd\"");
  dev.path = "/dev/";
  EXPECT_EQ(Error(), "linux.devices[0].path: must be a path under /dev/, got \"/dev/\"");
  dev.path = "/dev/net/tun..x";
  EXPECT_EQ(Error(), "");
}

TEST_F(ValidateSpecTest, DeviceCgroupRulesAreChecked) {
  auto& rule = spec_.linux->resources->devices[1];
  rule.type = "u";
  EXPECT_EQ(Error(),
            "linux.resources.devices[1].type: unknown device type \"u\" (expected a, c or b)");
  rule.type = "a";
  rule.access = "rwx";
  EXPECT_EQ(Error(), "linux.resources.devices[1].access: \"rwx\" may only contain r, w and m");
}

TEST_F(ValidateSpecTest, MiscLinuxFields) {
  Spec copy = spec_;
  spec_.linux->rootfs_propagation = "rsharedd";
  EXPECT_EQ(Error(), "linux.rootfsPropagation: unknown propagation \"rsharedd\"");
  spec_ = copy;
  spec_.linux->personality->domain = "LINUX64";
  EXPECT_EQ(Error(),
            "linux.personality.domain: unknown domain \"LINUX64\" (expected LINUX or LINUX32)");
  spec_ = copy;
  RemoveNamespace("mount");
  EXPECT_EQ(Error(), "linux.maskedPaths: needs a new mount namespace in linux.namespaces");
  spec_ = copy;
  spec_.linux->readonly_paths.push_back("proc/bus");
  EXPECT_EQ(Error(), "linux.readonlyPaths[1]: must be an absolute path, got \"proc/bus\"");
}

}  // namespace
}  // namespace cocoon::oci
