// OCI seccomp profiles compiled with libseccomp, following runc's rules.
#include "linux/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "base/file.h"
#include "base/log.h"
#include "base/unique_fd.h"

namespace cocoon::linux {
namespace {

// The kernel takes at most six syscall arguments.
constexpr uint32_t kMaxArgs = 6;
constexpr uint32_t kDefaultErrno = EPERM;

struct ActionEntry {
  std::string_view name;
  uint32_t action;
  bool takes_errno;  // the low 16 bits carry errnoRet
};

constexpr std::array kActions = {
    ActionEntry{"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    ActionEntry{"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    ActionEntry{"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    ActionEntry{"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    ActionEntry{"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    ActionEntry{"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    ActionEntry{"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    ActionEntry{"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    ActionEntry{"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

struct OpEntry {
  std::string_view name;
  scmp_compare op;
};

constexpr std::array kOps = {
    OpEntry{"SCMP_CMP_NE", SCMP_CMP_NE},
    OpEntry{"SCMP_CMP_LT", SCMP_CMP_LT},
    OpEntry{"SCMP_CMP_LE", SCMP_CMP_LE},
    OpEntry{"SCMP_CMP_EQ", SCMP_CMP_EQ},
    OpEntry{"SCMP_CMP_GE", SCMP_CMP_GE},
    OpEntry{"SCMP_CMP_GT", SCMP_CMP_GT},
    OpEntry{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

struct ArchEntry {
  std::string_view name;
  uint32_t arch;
};

constexpr std::array kArches = {
    ArchEntry{"SCMP_ARCH_NATIVE", SCMP_ARCH_NATIVE},
    ArchEntry{"SCMP_ARCH_X86", SCMP_ARCH_X86},
    ArchEntry{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    ArchEntry{"SCMP_ARCH_X32", SCMP_ARCH_X32},
    ArchEntry{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    ArchEntry{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    ArchEntry{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    ArchEntry{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    ArchEntry{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    ArchEntry{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    ArchEntry{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    ArchEntry{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    ArchEntry{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    ArchEntry{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    ArchEntry{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    ArchEntry{"SCMP_ARCH_S390", SCMP_ARCH_S390},
    ArchEntry{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    ArchEntry{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    ArchEntry{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    ArchEntry{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

struct FlagEntry {
  std::string_view name;
  std::optional<scmp_filter_attr> attr;  // nullopt: this libseccomp cannot set it
  unsigned int kernel_flag;              // the same, for seccomp(2) directly
};

const std::array kFlags = {
    FlagEntry{"SECCOMP_FILTER_FLAG_TSYNC", SCMP_FLTATR_CTL_TSYNC, SECCOMP_FILTER_FLAG_TSYNC},
    FlagEntry{"SECCOMP_FILTER_FLAG_LOG", SCMP_FLTATR_CTL_LOG, SECCOMP_FILTER_FLAG_LOG},
    FlagEntry{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SCMP_FLTATR_CTL_SSB,
              SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    FlagEntry{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", std::nullopt, 1u << 5},
};

// Finds `name` in a table of entries with a `name` member.
template <typename Table>
const typename Table::value_type* Find(const Table& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

// libseccomp returns negative errnos.
Error SeccompError(std::string_view what, int rc) { return ErrnoError(what, -rc); }

Result<> CheckNotify(uint32_t action, const oci::Seccomp& profile) {
  if (action != SCMP_ACT_NOTIFY) return {};
  if (profile.listener_path.empty())
    return std::unexpected(MakeError("SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath"));
  return std::unexpected(
      Errorf("SCMP_ACT_NOTIFY (listenerPath \"{}\") is not supported by cocoon yet",
             profile.listener_path));
}

Result<std::vector<scmp_arg_cmp>> Conditions(const std::vector<oci::SeccompArg>& args) {
  std::vector<scmp_arg_cmp> conditions;
  for (const oci::SeccompArg& arg : args) {
    if (arg.index >= kMaxArgs)
      return std::unexpected(
          Errorf("args: index {} is out of range (0-{})", arg.index, kMaxArgs - 1));
    scmp_compare op = TRY_CTX(SeccompOpFromName(arg.op), "args");
    conditions.push_back(
        scmp_arg_cmp{.arg = arg.index, .op = op, .datum_a = arg.value, .datum_b = arg.value_two});
  }
  return conditions;
}

// libseccomp ANDs the conditions of one rule, and cannot AND two conditions
// on the same argument; runc then adds each condition as its own rule.
bool HasRepeatedIndex(const std::vector<scmp_arg_cmp>& conditions) {
  std::array<int, kMaxArgs> counts{};
  for (const scmp_arg_cmp& c : conditions) {
    if (++counts[c.arg] > 1) return true;
  }
  return false;
}

}  // namespace

Result<uint32_t> SeccompActionFromName(std::string_view name, std::optional<uint32_t> errno_ret) {
  const ActionEntry* entry = Find(kActions, name);
  if (!entry) return std::unexpected(Errorf("unknown seccomp action \"{}\"", name));
  if (!entry->takes_errno) {
    if (errno_ret)
      return std::unexpected(
          Errorf("errnoRet is only valid with SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not {}", name));
    return entry->action;
  }
  uint32_t err = errno_ret.value_or(kDefaultErrno);
  if (err > 0xffff) return std::unexpected(Errorf("{}: errnoRet {} is out of range", name, err));
  return entry->action | err;
}

Result<scmp_compare> SeccompOpFromName(std::string_view name) {
  if (const OpEntry* entry = Find(kOps, name)) return entry->op;
  return std::unexpected(Errorf("unknown seccomp operator \"{}\"", name));
}

Result<uint32_t> SeccompArchFromName(std::string_view name) {
  if (const ArchEntry* entry = Find(kArches, name)) return entry->arch;
  return std::unexpected(Errorf("unknown seccomp architecture \"{}\"", name));
}

Result<scmp_filter_attr> SeccompFlagFromName(std::string_view name) {
  const FlagEntry* entry = Find(kFlags, name);
  if (!entry) return std::unexpected(Errorf("unknown seccomp flag \"{}\"", name));
  if (!entry->attr)
    return std::unexpected(Errorf("seccomp flag \"{}\" is not supported by this libseccomp", name));
  return *entry->attr;
}

SeccompFilter::SeccompFilter(SeccompFilter&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      kernel_flags_(other.kernel_flags_),
      rule_count_(other.rule_count_),
      skipped_syscalls_(other.skipped_syscalls_) {}

SeccompFilter& SeccompFilter::operator=(SeccompFilter&& other) noexcept {
  if (this != &other) {
    if (ctx_) seccomp_release(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    kernel_flags_ = other.kernel_flags_;
    rule_count_ = other.rule_count_;
    skipped_syscalls_ = other.skipped_syscalls_;
  }
  return *this;
}

SeccompFilter::~SeccompFilter() {
  if (ctx_) seccomp_release(ctx_);
}

Result<SeccompFilter> SeccompFilter::Compile(const oci::Seccomp& profile) {
  if (profile.default_action.empty())
    return std::unexpected(MakeError("linux.seccomp.defaultAction is required"));
  uint32_t default_action =
      TRY_CTX(SeccompActionFromName(profile.default_action, profile.default_errno_ret),
              "linux.seccomp.defaultAction");
  if (default_action == SCMP_ACT_NOTIFY)
    return std::unexpected(
        MakeError("linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"));

  scmp_filter_ctx ctx = seccomp_init(default_action);
  if (!ctx) return std::unexpected(MakeError("seccomp_init failed"));
  SeccompFilter filter(ctx);
  // Real errnos from libseccomp instead of its generic -ECANCELED.
  seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
  // no_new_privs is process.noNewPrivileges' business, not the filter's.
  if (int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return std::unexpected(SeccompError("seccomp: clearing the no_new_privs attribute", rc));

  for (const std::string& name : profile.architectures) {
    uint32_t arch = TRY_CTX(SeccompArchFromName(name), "linux.seccomp.architectures");
    int rc = seccomp_arch_add(ctx, arch);
    if (rc < 0 && rc != -EEXIST)
      return std::unexpected(
          SeccompError(fmt::format("linux.seccomp.architectures: adding {}", name), rc));
  }
  for (const std::string& name : profile.flags) {
    scmp_filter_attr attr = TRY_CTX(SeccompFlagFromName(name), "linux.seccomp.flags");
    if (int rc = seccomp_attr_set(ctx, attr, 1); rc < 0)
      return std::unexpected(
          SeccompError(fmt::format("linux.seccomp.flags: setting {}", name), rc));
    filter.kernel_flags_ |= Find(kFlags, name)->kernel_flag;
  }
  for (size_t i = 0; i < profile.syscalls.size(); ++i) {
    const oci::SeccompSyscall& syscall = profile.syscalls[i];
    uint32_t action = TRY_CTX(SeccompActionFromName(syscall.action, syscall.errno_ret),
                              fmt::format("linux.seccomp.syscalls[{}]", i));
    TRY_CTX(CheckNotify(action, profile), fmt::format("linux.seccomp.syscalls[{}]", i));
    TRY_CTX(filter.AddSyscall(syscall, default_action),
            fmt::format("linux.seccomp.syscalls[{}]", i));
  }
  return filter;
}

Result<> SeccompFilter::AddSyscall(const oci::SeccompSyscall& syscall, uint32_t default_action) {
  if (syscall.names.empty()) return std::unexpected(MakeError("names is empty"));
  uint32_t action = TRY(SeccompActionFromName(syscall.action, syscall.errno_ret));
  std::vector<scmp_arg_cmp> conditions = TRY(Conditions(syscall.args));
  // libseccomp refuses a rule that repeats the default action; it is a no-op anyway.
  if (action == default_action) return {};
  for (const std::string& name : syscall.names) {
    int number = seccomp_syscall_resolve_name(name.c_str());
    if (number == __NR_SCMP_ERROR) {
      // Profiles list syscalls of every architecture and kernel; runc skips the unknown ones.
      log::Debug("seccomp: skipping syscall {}: unknown on this architecture", name);
      ++skipped_syscalls_;
      continue;
    }
    if (HasRepeatedIndex(conditions)) {
      for (const scmp_arg_cmp& condition : conditions)
        TRY(AddRule(number, name, action, {condition}));
    } else {
      TRY(AddRule(number, name, action, conditions));
    }
  }
  return {};
}

Result<> SeccompFilter::AddRule(int number, std::string_view name, uint32_t action,
                                const std::vector<scmp_arg_cmp>& conditions) {
  int rc = seccomp_rule_add_array(ctx_, action, number, static_cast<unsigned>(conditions.size()),
                                  conditions.data());
  if (rc < 0) return std::unexpected(SeccompError(fmt::format("adding a rule for {}", name), rc));
  ++rule_count_;
  return {};
}

Result<> SeccompFilter::Load() const {
  if (int rc = seccomp_load(ctx_); rc < 0)
    return std::unexpected(SeccompError("loading the seccomp filter", rc));
  return {};
}

Result<SeccompProgram> SeccompFilter::Export() const {
  UniqueFd fd(memfd_create("cocoon-seccomp-bpf", MFD_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError("memfd_create for the seccomp program"));
  if (int rc = seccomp_export_bpf(ctx_, fd.get()); rc < 0)
    return std::unexpected(SeccompError("exporting the seccomp program", rc));
  if (lseek(fd.get(), 0, SEEK_SET) < 0)
    return std::unexpected(ErrnoError("seeking the seccomp program"));
  std::string bytes = TRY_CTX(ReadFd(fd.get()), "reading the seccomp program");
  if (bytes.empty() || bytes.size() % sizeof(sock_filter) != 0)
    return std::unexpected(
        Errorf("seccomp program has {} bytes, not whole instructions", bytes.size()));
  SeccompProgram program;
  program.instructions.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(program.instructions.data(), bytes.data(), bytes.size());
  program.flags = kernel_flags_;
  return program;
}

Result<> LoadSeccompProgram(const SeccompProgram& program) {
  sock_fprog prog{.len = static_cast<unsigned short>(program.instructions.size()),
                  .filter = const_cast<sock_filter*>(program.instructions.data())};
  if (program.instructions.size() > BPF_MAXINSNS)
    return std::unexpected(Errorf("seccomp program has {} instructions, more than {}",
                                  program.instructions.size(), BPF_MAXINSNS));
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &prog) != 0)
    return std::unexpected(ErrnoError("seccomp(SECCOMP_SET_MODE_FILTER)"));
  return {};
}

Result<> ValidateSeccomp(const oci::Seccomp& profile) {
  TRY(SeccompFilter::Compile(profile));
  return {};
}

}  // namespace cocoon::linux
