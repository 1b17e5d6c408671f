// The cgroup v2 device program: its verdicts, checked with a small
// interpreter for the instructions it uses, and (as root) in the kernel.
#include "cgroup/devices_bpf.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/file.h"
#include "cgroup/convert.h"
#include "cgroup/host.h"

namespace cocoon::cgroup {
namespace {

struct Request {
  uint32_t type, access, major, minor;
};

// Runs `prog` on one request; only the instructions BuildDeviceProgram emits.
int Verdict(const std::vector<bpf_insn>& prog, Request req) {
  uint64_t reg[11] = {};
  uint32_t ctx[3] = {(req.access << 16) | req.type, req.major, req.minor};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const bpf_insn& i = prog[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        reg[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg] & static_cast<uint32_t>(i.imm));
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.src_reg]);
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        reg[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (reg[i.dst_reg] == static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unexpected opcode " << int(i.code);
        return -1;
    }
  }
  ADD_FAILURE() << "fell off the end";
  return -1;
}

constexpr uint32_t kChar = BPF_DEVCG_DEV_CHAR, kBlock = BPF_DEVCG_DEV_BLOCK;
constexpr uint32_t kR = BPF_DEVCG_ACC_READ, kW = BPF_DEVCG_ACC_WRITE, kM = BPF_DEVCG_ACC_MKNOD;

TEST(DeviceProgramTest, NoRulesDeniesEverything) {
  auto prog = BuildDeviceProgram({});
  EXPECT_EQ(Verdict(prog, {kChar, kR, 1, 3}), 0);
}

TEST(DeviceProgramTest, LastMatchingRuleWins) {
  std::vector<oci::DeviceCgroupRule> rules = {
      {.allow = false, .access = "rwm"},                                     // deny all
      {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rw"},  // /dev/null
      {.allow = true, .type = "c", .major = 136, .access = "rwm"},           // pts/*
      {.allow = true, .type = "b", .access = "m"},                           // mknod any block
      {.allow = false, .type = "c", .major = 136, .minor = 7, .access = "w"},
  };
  auto prog = BuildDeviceProgram(rules);
  EXPECT_EQ(Verdict(prog, {kChar, kR | kW, 1, 3}), 1);
  EXPECT_EQ(Verdict(prog, {kChar, kM, 1, 3}), 0);   // mknod not granted
  EXPECT_EQ(Verdict(prog, {kBlock, kR, 1, 3}), 0);  // wrong type
  EXPECT_EQ(Verdict(prog, {kChar, kR, 1, 5}), 0);   // wrong minor
  EXPECT_EQ(Verdict(prog, {kChar, kR, 136, 4}), 1);
  EXPECT_EQ(Verdict(prog, {kChar, kR, 136, 7}), 1);       // the deny is for w only
  EXPECT_EQ(Verdict(prog, {kChar, kR | kW, 136, 7}), 0);  // ... which it names
  EXPECT_EQ(Verdict(prog, {kBlock, kM, 8, 0}), 1);
  EXPECT_EQ(Verdict(prog, {kBlock, kR, 8, 0}), 0);
}

TEST(DeviceProgramTest, AllowAllAfterDenies) {
  auto prog =
      BuildDeviceProgram({{.allow = false, .type = "c", .major = 1, .minor = 3}, {.allow = true}});
  EXPECT_EQ(Verdict(prog, {kChar, kR, 1, 3}), 1);
}

TEST(DeviceProgramTest, DefaultDevices) {
  std::vector<oci::DeviceCgroupRule> rules = {{.allow = false, .access = "rwm"}};
  for (const auto& r : DefaultAllowedDevices()) rules.push_back(r);
  auto prog = BuildDeviceProgram(rules);
  EXPECT_EQ(Verdict(prog, {kChar, kR | kW, 1, 9}), 1);  // urandom
  EXPECT_EQ(Verdict(prog, {kChar, kM, 4, 1}), 1);       // mknod of anything
  EXPECT_EQ(Verdict(prog, {kChar, kR, 4, 1}), 0);       // but no use of it
}

// As root, in the kernel: a child in a v2 cgroup with the program attached
// may open /dev/null and not /dev/zero.
TEST(DeviceProgramTest, KernelEnforcesIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto host = ReadHostInfo();
  if (!host || host->V2Mount() == nullptr) GTEST_SKIP() << "no cgroup2 mount";
  std::string dir = host->V2Mount()->mount_point + "/cocoon-bpf-test-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << dir;
  auto applied = ApplyDeviceRulesBpf(
      dir, {{.allow = false, .access = "rwm"},
            {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rw"}});
  if (!applied && (applied.error().code() == EPERM || applied.error().code() == EINVAL)) {
    ::rmdir(dir.c_str());
    GTEST_SKIP() << "kernel refuses cgroup device programs: " << applied.error().message();
  }
  ASSERT_TRUE(applied) << applied.error().message();
  // Applying again replaces the program rather than stacking a second one.
  ASSERT_TRUE(ApplyDeviceRulesBpf(
      dir, {{.allow = false, .access = "rwm"},
            {.allow = true, .type = "c", .major = 1, .minor = 3, .access = "rw"}}));

  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(9);
    int null_fd = ::open("/dev/null", O_RDONLY);
    int zero_fd = ::open("/dev/zero", O_RDONLY);
    ::_exit((null_fd >= 0 ? 0 : 1) | (zero_fd < 0 && errno == EPERM ? 0 : 2));
  }
  ::close(go[0]);
  auto joined = WriteFile(dir + "/cgroup.procs", std::to_string(pid));
  (void)!::write(go[1], "x", 1);
  ::close(go[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::rmdir(dir.c_str());
  ASSERT_TRUE(joined) << joined.error().message();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: /dev/null refused, 2: /dev/zero allowed";
}

}  // namespace
}  // namespace cocoon::cgroup
