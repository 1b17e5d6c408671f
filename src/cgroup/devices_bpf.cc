// cgroup v2 device rules as an eBPF program, built instruction by instruction
// (no compiler, no libbpf): a handful of loads, compares and exits.
#include "cgroup/devices_bpf.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "base/file.h"
#include "base/log.h"

namespace cocoon::cgroup {

namespace {

// Registers: r1 holds the context on entry, r0 the verdict on exit.
constexpr uint8_t kR0 = 0, kR1 = 1, kType = 2, kAccess = 3, kMajor = 4, kMinor = 5;

bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i;
  std::memset(&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}
bpf_insn LoadCtxWord(uint8_t dst, int16_t off) {
  return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, kR1, off, 0);
}
bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn Mov32Reg(uint8_t dst, uint8_t src) {
  return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn JumpImm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn Mov64Imm(uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t AccessBits(const std::string& access) {
  if (access.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  int32_t bits = 0;
  for (char c : access) {
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
  }
  return bits;
}

// One rule: every test that fails jumps past the block to the next rule.
std::vector<bpf_insn> RuleBlock(const oci::DeviceCgroupRule& rule) {
  std::vector<bpf_insn> block;
  std::vector<size_t> skips;
  auto skip_unless = [&](uint8_t op, uint8_t reg, int32_t imm) {
    skips.push_back(block.size());
    block.push_back(JumpImm(op, reg, imm));
  };
  if (rule.type == "c") skip_unless(BPF_JNE, kType, BPF_DEVCG_DEV_CHAR);
  if (rule.type == "b") skip_unless(BPF_JNE, kType, BPF_DEVCG_DEV_BLOCK);
  int32_t bits = AccessBits(rule.access);
  block.push_back(Mov32Reg(kR1, kAccess));
  if (rule.allow) {
    block.push_back(Alu32Imm(BPF_AND, kR1, ~bits & 7));  // requested but not granted
    skip_unless(BPF_JNE, kR1, 0);
  } else {
    block.push_back(Alu32Imm(BPF_AND, kR1, bits));  // requested and denied
    skip_unless(BPF_JEQ, kR1, 0);
  }
  if (rule.major && *rule.major >= 0)
    skip_unless(BPF_JNE, kMajor, static_cast<int32_t>(*rule.major));
  if (rule.minor && *rule.minor >= 0)
    skip_unless(BPF_JNE, kMinor, static_cast<int32_t>(*rule.minor));
  block.push_back(Mov64Imm(kR0, rule.allow ? 1 : 0));
  block.push_back(Exit());
  for (size_t i : skips) block[i].off = static_cast<int16_t>(block.size() - i - 1);
  return block;
}

long Bpf(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

// Ids of the device programs attached to `cgroup_fd` now.
Result<std::vector<uint32_t>> AttachedPrograms(int cgroup_fd) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.query.target_fd = cgroup_fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (Bpf(BPF_PROG_QUERY, attr) < 0) return std::unexpected(ErrnoError("bpf(BPF_PROG_QUERY)"));
  ids.resize(attr.query.prog_cnt);
  return ids;
}

Result<UniqueFd> LoadProgram(const std::vector<bpf_insn>& insns) {
  static char license[] = "Apache-2.0";
  std::vector<char> log(64 * 1024);
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = reinterpret_cast<uintptr_t>(license);
  attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  int fd = static_cast<int>(Bpf(BPF_PROG_LOAD, attr));
  if (fd < 0) {
    int err = errno;
    return std::unexpected(ErrnoError(fmt::format("bpf(BPF_PROG_LOAD) of the device program ({})",
                                                  std::string_view(log.data()).substr(0, 300)),
                                      err));
  }
  return UniqueFd(fd);
}

}  // namespace

std::vector<bpf_insn> BuildDeviceProgram(const std::vector<oci::DeviceCgroupRule>& rules) {
  std::vector<bpf_insn> prog = {
      LoadCtxWord(kType, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_AND, kType, 0xffff),
      LoadCtxWord(kAccess, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_RSH, kAccess, 16),
      LoadCtxWord(kMajor, offsetof(bpf_cgroup_dev_ctx, major)),
      LoadCtxWord(kMinor, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // First match wins in the program, so the last rule goes first.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    std::vector<bpf_insn> block = RuleBlock(*it);
    prog.insert(prog.end(), block.begin(), block.end());
  }
  prog.push_back(Mov64Imm(kR0, 0));
  prog.push_back(Exit());
  return prog;
}

Result<> ApplyDeviceRulesBpf(const std::string& dir,
                             const std::vector<oci::DeviceCgroupRule>& rules) {
  UniqueFd cgroup = TRY_CTX(OpenFile(dir, O_RDONLY | O_DIRECTORY), "cgroup: devices");
  std::vector<uint32_t> old =
      TRY_CTX(AttachedPrograms(cgroup.get()), fmt::format("cgroup: devices of {}", dir));
  UniqueFd prog =
      TRY_CTX(LoadProgram(BuildDeviceProgram(rules)), fmt::format("cgroup: devices of {}", dir));
  bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.target_fd = cgroup.get();
  attr.attach_bpf_fd = prog.get();
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, attr) < 0)
    return std::unexpected(
        ErrnoError(fmt::format("cgroup: attaching the device program to {}", dir)));
  // Only now drop the old programs, so there is no moment without rules.
  for (uint32_t id : old) {
    std::memset(&attr, 0, sizeof attr);
    attr.prog_id = id;
    UniqueFd old_fd(static_cast<int>(Bpf(BPF_PROG_GET_FD_BY_ID, attr)));
    if (!old_fd)
      return std::unexpected(ErrnoError(fmt::format("cgroup: bpf program {} of {}", id, dir)));
    std::memset(&attr, 0, sizeof attr);
    attr.target_fd = cgroup.get();
    attr.attach_bpf_fd = old_fd.get();
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (Bpf(BPF_PROG_DETACH, attr) < 0 && errno != ENOENT)
      return std::unexpected(
          ErrnoError(fmt::format("cgroup: detaching old device program {} from {}", id, dir)));
  }
  return {};
}

}  // namespace cocoon::cgroup
