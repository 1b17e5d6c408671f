// Tests for config.json parsing: every field name, type errors naming the JSON
// path, malformed JSON, and the SpecToJson round trip.
#include "oci/parse.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace cocoon::oci {
namespace {

// A config.json that sets every field spec.h models, with non-default values.
constexpr std::string_view kRichSpec = R"json({
  "ociVersion": "1.0.2-dev",
  "root": {"path": "rootfs", "readonly": true},
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/data", "type": "bind", "source": "/srv/data",
     "options": ["rbind", "ro"],
     "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 10}],
     "gidMappings": [{"containerID": 1, "hostID": 2000, "size": 20}]}
  ],
  "process": {
    "terminal": true,
    "consoleSize": {"height": 24, "width": 80},
    "user": {"uid": 1, "gid": 2, "umask": 18, "additionalGids": [5, 6], "username": "u"},
    "args": ["sh", "-c", "true"],
    "env": ["PATH=/bin", "TERM=xterm"],
    "cwd": "/tmp",
    "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_CHOWN"],
                     "inheritable": ["CAP_FOWNER"], "permitted": ["CAP_KILL", "CAP_CHOWN"],
                     "ambient": ["CAP_NET_RAW"]},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
    "noNewPrivileges": true,
    "apparmorProfile": "prof",
    "oomScoreAdj": -500,
    "selinuxLabel": "system_u:system_r:svirt_lxc_net_t:s0"
  },
  "hostname": "box",
  "domainname": "example.org",
  "hooks": {
    "prestart": [{"path": "/bin/a", "args": ["a", "1"], "env": ["X=1"], "timeout": 5}],
    "createRuntime": [{"path": "/bin/b"}],
    "createContainer": [{"path": "/bin/c"}],
    "startContainer": [{"path": "/bin/d"}],
    "poststart": [{"path": "/bin/e"}],
    "poststop": [{"path": "/bin/f", "timeout": 1}]
  },
  "annotations": {"io.kubernetes.cri.container-type": "sandbox", "k": "v"},
  "linux": {
    "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
    "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}],
    "sysctl": {"net.ipv4.ip_forward": "1"},
    "resources": {
      "devices": [{"allow": false, "access": "rwm"},
                  {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
      "memory": {"limit": 1048576, "reservation": 524288, "swap": 2097152, "kernel": -1,
                 "kernelTCP": 4096, "swappiness": 60, "disableOOMKiller": true,
                 "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 512, "quota": 50000, "burst": 1000, "period": 100000,
              "realtimeRuntime": 950, "realtimePeriod": 1000, "cpus": "0-1", "mems": "0",
              "idle": 1},
      "pids": {"limit": 32},
      "blockIO": {"weight": 500, "leafWeight": 300,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 400, "leafWeight": 200}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1000}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 1, "rate": 2000}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 2, "rate": 300}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 3, "rate": 400}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 209715200}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "unified": {"memory.high": "max"}
    },
    "cgroupsPath": "/cocoon/test",
    "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/x"},
                   {"type": "mount"}, {"type": "user"}, {"type": "uts"}, {"type": "time"}],
    "devices": [{"type": "c", "path": "/dev/fuse", "major": 10, "minor": 229,
                 "fileMode": 438, "uid": 0, "gid": 0}],
    "seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/seccomp.sock", "listenerMetadata": "meta",
      "syscalls": [{"names": ["getcwd", "chmod"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                    "args": [{"index": 1, "value": 2, "valueTwo": 3, "op": "SCMP_CMP_MASKED_EQ"}]}]
    },
    "rootfsPropagation": "rslave",
    "maskedPaths": ["/proc/kcore"],
    "readonlyPaths": ["/proc/sys"],
    "mountLabel": "system_u:object_r:svirt_sandbox_file_t:s0",
    "personality": {"domain": "LINUX32", "flags": []},
    "timeOffsets": {"monotonic": {"secs": -10, "nanosecs": 7}, "boottime": {"secs": 3}},
    "intelRdt": {"closID": "guaranteed", "l3CacheSchema": "L3:0=ffff", "memBwSchema": "MB:0=20"}
  }
})json";

std::string ErrorOf(std::string_view json) {
  auto spec = ParseSpec(json);
  EXPECT_FALSE(spec.has_value()) << json;
  return spec ? "" : spec.error().message();
}

TEST(ParseSpecTest, ParsesEveryField) {
  auto parsed = ParseSpec(kRichSpec);
  ASSERT_TRUE(parsed) << parsed.error().message();
  const Spec& s = *parsed;
  EXPECT_EQ(s.oci_version, "1.0.2-dev");
  ASSERT_TRUE(s.root);
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_TRUE(s.root->readonly);
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[1].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(s.mounts[1].uid_mappings.size(), 1u);
  EXPECT_EQ(s.mounts[1].uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(s.mounts[1].gid_mappings[0].size, 20u);

  ASSERT_TRUE(s.process);
  const Process& p = *s.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1u);
  EXPECT_EQ(p.user.gid, 2u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.user.username, "u");
  EXPECT_EQ(p.args.size(), 3u);
  EXPECT_EQ(p.cwd, "/tmp");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_NET_RAW"}));
  EXPECT_EQ(p.capabilities->inheritable, (std::vector<std::string>{"CAP_FOWNER"}));
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].soft, 512u);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.apparmor_profile, "prof");
  EXPECT_EQ(p.oom_score_adj, -500);
  EXPECT_EQ(p.selinux_label, "system_u:system_r:svirt_lxc_net_t:s0");

  EXPECT_EQ(s.hostname, "box");
  EXPECT_EQ(s.domainname, "example.org");
  ASSERT_TRUE(s.hooks);
  ASSERT_EQ(s.hooks->prestart.size(), 1u);
  EXPECT_EQ(s.hooks->prestart[0].args, (std::vector<std::string>{"a", "1"}));
  EXPECT_EQ(s.hooks->prestart[0].env, (std::vector<std::string>{"X=1"}));
  EXPECT_EQ(s.hooks->prestart[0].timeout, 5);
  EXPECT_EQ(s.hooks->create_runtime[0].path, "/bin/b");
  EXPECT_EQ(s.hooks->create_container[0].path, "/bin/c");
  EXPECT_EQ(s.hooks->start_container[0].path, "/bin/d");
  EXPECT_EQ(s.hooks->poststart[0].path, "/bin/e");
  EXPECT_EQ(s.hooks->poststop[0].timeout, 1);
  EXPECT_EQ(s.annotations.at("io.kubernetes.cri.container-type"), "sandbox");

  ASSERT_TRUE(s.linux);
  const Linux& l = *s.linux;
  EXPECT_EQ(l.uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(l.gid_mappings[0].host_id, 200000u);
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.cgroups_path, "/cocoon/test");
  ASSERT_EQ(l.namespaces.size(), 6u);
  EXPECT_EQ(l.namespaces[1].path, "/var/run/netns/x");
  ASSERT_EQ(l.devices.size(), 1u);
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].file_mode, 0666u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore"}));
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys"}));
  EXPECT_EQ(l.mount_label, "system_u:object_r:svirt_sandbox_file_t:s0");
  ASSERT_TRUE(l.personality);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -10);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 7u);
  EXPECT_EQ(l.time_offsets.at("boottime").secs, 3);
  ASSERT_TRUE(l.intel_rdt);
  EXPECT_EQ(l.intel_rdt->clos_id, "guaranteed");
  EXPECT_EQ(l.intel_rdt->mem_bw_schema, "MB:0=20");

  ASSERT_TRUE(l.seccomp);
  const Seccomp& sc = *l.seccomp;
  EXPECT_EQ(sc.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc.default_errno_ret, 1u);
  EXPECT_EQ(sc.architectures.size(), 2u);
  EXPECT_EQ(sc.flags, (std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"}));
  EXPECT_EQ(sc.listener_path, "/run/seccomp.sock");
  EXPECT_EQ(sc.listener_metadata, "meta");
  ASSERT_EQ(sc.syscalls.size(), 1u);
  EXPECT_EQ(sc.syscalls[0].errno_ret, 38u);
  ASSERT_EQ(sc.syscalls[0].args.size(), 1u);
  EXPECT_EQ(sc.syscalls[0].args[0].index, 1u);
  EXPECT_EQ(sc.syscalls[0].args[0].value_two, 3u);
  EXPECT_EQ(sc.syscalls[0].args[0].op, "SCMP_CMP_MASKED_EQ");

  ASSERT_TRUE(l.resources);
  const Resources& r = *l.resources;
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_FALSE(r.devices[0].major.has_value());
  EXPECT_TRUE(r.devices[1].allow);
  EXPECT_EQ(r.devices[1].type, "c");
  EXPECT_EQ(r.devices[1].minor, 3);
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 1048576);
  EXPECT_EQ(r.memory->reservation, 524288);
  EXPECT_EQ(r.memory->swap, 2097152);
  EXPECT_EQ(r.memory->kernel, -1);
  EXPECT_EQ(r.memory->kernel_tcp, 4096);
  EXPECT_EQ(r.memory->swappiness, 60u);
  EXPECT_EQ(r.memory->disable_oom_killer, true);
  EXPECT_EQ(r.memory->use_hierarchy, false);
  EXPECT_EQ(r.memory->check_before_update, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 512u);
  EXPECT_EQ(r.cpu->quota, 50000);
  EXPECT_EQ(r.cpu->burst, 1000);
  EXPECT_EQ(r.cpu->period, 100000u);
  EXPECT_EQ(r.cpu->realtime_runtime, 950);
  EXPECT_EQ(r.cpu->realtime_period, 1000u);
  EXPECT_EQ(r.cpu->cpus, "0-1");
  EXPECT_EQ(r.cpu->mems, "0");
  EXPECT_EQ(r.cpu->idle, 1);
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 32);
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 500);
  EXPECT_EQ(r.block_io->leaf_weight, 300);
  ASSERT_EQ(r.block_io->weight_device.size(), 1u);
  EXPECT_EQ(r.block_io->weight_device[0].major, 8);
  EXPECT_EQ(r.block_io->weight_device[0].weight, 400);
  EXPECT_EQ(r.block_io->weight_device[0].leaf_weight, 200);
  EXPECT_EQ(r.block_io->throttle_read_bps_device[0].rate, 1000u);
  EXPECT_EQ(r.block_io->throttle_write_bps_device[0].minor, 1);
  EXPECT_EQ(r.block_io->throttle_read_iops_device[0].rate, 300u);
  EXPECT_EQ(r.block_io->throttle_write_iops_device[0].rate, 400u);
  ASSERT_EQ(r.hugepage_limits.size(), 1u);
  EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(r.hugepage_limits[0].limit, 209715200u);
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->class_id, 1048577u);
  EXPECT_EQ(r.network->priorities[0].name, "eth0");
  EXPECT_EQ(r.network->priorities[0].priority, 500u);
  EXPECT_EQ(r.unified.at("memory.high"), "max");
}

// Serializing the rich spec gives back exactly the input document (every
// field survives), and parsing that again serializes identically.
TEST(ParseSpecTest, RoundTripsThroughSpecToJson) {
  auto parsed = ParseSpec(kRichSpec);
  ASSERT_TRUE(parsed) << parsed.error().message();
  nlohmann::json once = SpecToJson(*parsed);
  // Encoding drops an empty list and always writes plain numbers; compare
  // against the input with those two normalizations.
  nlohmann::json expected = nlohmann::json::parse(kRichSpec);
  expected["linux"]["personality"].erase("flags");
  expected["linux"]["timeOffsets"]["boottime"]["nanosecs"] = 0;
  EXPECT_EQ(once, expected) << once.dump(2);

  auto reparsed = ParseSpec(once.dump());
  ASSERT_TRUE(reparsed) << reparsed.error().message();
  EXPECT_EQ(SpecToJson(*reparsed), once);
  EXPECT_EQ(reparsed->linux->resources->memory->use_hierarchy, false);
  EXPECT_EQ(reparsed->process->oom_score_adj, -500);
}

TEST(ParseSpecTest, MinimalSpecLeavesOptionalsUnset) {
  auto s = ParseSpec(R"({"ociVersion": "1.0.0"})");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_FALSE(s->root);
  EXPECT_FALSE(s->process);
  EXPECT_FALSE(s->linux);
  EXPECT_FALSE(s->hooks);
  EXPECT_EQ(SpecToJson(*s), nlohmann::json::parse(R"({"ociVersion": "1.0.0"})"));
}

TEST(ParseSpecTest, IgnoresUnknownFieldsAndNulls) {
  auto s = ParseSpec(R"({"ociVersion": "1.0.0", "windows": {"x": 1}, "vm": 3,
                        "process": {"cwd": "/", "scheduler": {"policy": "SCHED_OTHER"},
                                    "capabilities": null, "args": null},
                        "linux": {"rdma": {"mlx": {"hcaHandles": 1}}}})");
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_TRUE(s->process);
  EXPECT_FALSE(s->process->capabilities);
  EXPECT_TRUE(s->process->args.empty());
}

TEST(ParseSpecTest, WrongTypesNameTheJsonPath) {
  EXPECT_EQ(ErrorOf(R"({"process": {"user": {"uid": "0"}}})"),
            "config.json: process.user.uid: expected an unsigned integer, got string");
  EXPECT_EQ(ErrorOf(R"({"ociVersion": 1})"),
            "config.json: ociVersion: expected a string, got number 1");
  EXPECT_EQ(ErrorOf(R"({"root": {"readonly": "yes"}})"),
            "config.json: root.readonly: expected a boolean, got string");
  EXPECT_EQ(ErrorOf(R"({"mounts": {}})"), "config.json: mounts: expected an array, got object");
  EXPECT_EQ(
      ErrorOf(R"({"linux": {"namespaces": [{"type": "pid"}, {"type": "uts"}, {"type": 7}]}})"),
      "config.json: linux.namespaces[2].type: expected a string, got number 7");
  EXPECT_EQ(ErrorOf(R"({"annotations": {"a.b": 1}})"),
            "config.json: annotations[\"a.b\"]: expected a string, got number 1");
  EXPECT_EQ(ErrorOf(R"({"process": {"env": ["A=1", false]}})"),
            "config.json: process.env[1]: expected a string, got boolean");
  EXPECT_EQ(ErrorOf(R"({"linux": {"timeOffsets": {"monotonic": {"secs": "1"}}}})"),
            "config.json: linux.timeOffsets[\"monotonic\"].secs: expected an integer, got string");
  EXPECT_EQ(
      ErrorOf(
          R"({"linux": {"resources": {"blockIO": {"throttleReadBpsDevice": [{"rate": -1}]}}}})"),
      "config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: "
      "expected an unsigned integer, got number -1");
  EXPECT_EQ(ErrorOf(R"({"process": "sh"})"),
            "config.json: process: expected an object, got string");
  EXPECT_EQ(ErrorOf("[1, 2]"), "config.json: expected an object, got array");
}

TEST(ParseSpecTest, NumbersAreRangeChecked) {
  EXPECT_EQ(ErrorOf(R"({"process": {"user": {"uid": 4294967296}}})"),
            "config.json: process.user.uid: expected an unsigned integer of at most 32 bits, "
            "got 4294967296");
  EXPECT_EQ(ErrorOf(R"({"process": {"user": {"gid": 1.5}}})"),
            "config.json: process.user.gid: expected an unsigned integer, got number 1.5");
  EXPECT_EQ(ErrorOf(R"({"linux": {"resources": {"blockIO": {"weight": 70000}}}})"),
            "config.json: linux.resources.blockIO.weight: expected an unsigned integer of at "
            "most 16 bits, got 70000");
  EXPECT_EQ(ErrorOf(R"({"process": {"oomScoreAdj": 3000000000}})"),
            "config.json: process.oomScoreAdj: expected an integer of at most 32 bits, got "
            "3000000000");
  // The extremes of 64-bit fields are accepted.
  auto s = ParseSpec(R"({"linux": {"resources": {"memory": {"limit": -9223372036854775808,
                        "swappiness": 18446744073709551615}}}})");
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->linux->resources->memory->limit, INT64_MIN);
  EXPECT_EQ(s->linux->resources->memory->swappiness, UINT64_MAX);
}

TEST(ParseSpecTest, MalformedJsonNamesTheByteOffset) {
  std::string e = ErrorOf(R"({"ociVersion": "1.0.0",, })");
  EXPECT_EQ(e.rfind("config.json: malformed JSON at byte 24: ", 0), 0u) << e;
  EXPECT_EQ(ErrorOf("").rfind("config.json: malformed JSON at byte 1: ", 0), 0u);
  auto custom = ParseSpec("{", "/b/config.json");
  ASSERT_FALSE(custom);
  EXPECT_EQ(custom.error().message().rfind("/b/config.json: malformed JSON", 0), 0u);
}

class LoadSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("cocoon-oci-load-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(LoadSpecTest, ReadsConfigJsonFromTheBundle) {
  ASSERT_TRUE(
      WriteFile(dir_ / "config.json", R"({"ociVersion": "1.0.2", "hostname": "h"})", O_CREAT));
  auto s = LoadSpec(dir_);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->hostname, "h");
}

TEST_F(LoadSpecTest, ErrorsNameThePath) {
  auto missing = LoadSpec(dir_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_NE(missing.error().message().find(dir_.string() + "/config.json"), std::string::npos)
      << missing.error().message();

  ASSERT_TRUE(WriteFile(dir_ / "config.json", R"({"hostname": []})", O_CREAT));
  auto bad = LoadSpec(dir_);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            dir_.string() + "/config.json: hostname: expected a string, got array");
}

TEST(ParseProcessTest, ParsesAProcessJson) {
  auto p = ParseProcess(R"({"args": ["ps"], "cwd": "/", "env": ["A=B"], "terminal": true})");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->args, (std::vector<std::string>{"ps"}));
  EXPECT_TRUE(p->terminal);
  EXPECT_EQ(ProcessToJson(*p)["env"][0], "A=B");
  auto bad = ParseProcess(R"({"user": {"uid": -1}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(),
            "process.json: user.uid: expected an unsigned integer, got number -1");
}

TEST(ParseResourcesTest, ParsesAResourcesJson) {
  auto r = ParseResources(R"({"pids": {"limit": 10}, "memory": {"limit": 100}})");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->pids->limit, 10);
  EXPECT_EQ(ResourcesToJson(*r)["memory"]["limit"], 100);
  auto bad = ParseResources(R"({"cpu": {"shares": "x"}})", "r.json");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "r.json: cpu.shares: expected an unsigned integer, got string");
}

}  // namespace
}  // namespace cocoon::oci
