// Seccomp: compiling an OCI seccomp profile with libseccomp and loading it.
#pragma once

#include <linux/filter.h>
#include <seccomp.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// Name tables ("SCMP_ACT_ERRNO", "SCMP_CMP_MASKED_EQ", "SCMP_ARCH_X86_64",
// "SECCOMP_FILTER_FLAG_LOG"); errors name the value.
// An action's errno (ERRNO, TRACE) comes from errno_ret, EPERM by default;
// errno_ret on any other action is an error.
Result<uint32_t> SeccompActionFromName(std::string_view name, std::optional<uint32_t> errno_ret);
Result<scmp_compare> SeccompOpFromName(std::string_view name);
Result<uint32_t> SeccompArchFromName(std::string_view name);
// The libseccomp attribute a filter flag turns on.
Result<scmp_filter_attr> SeccompFlagFromName(std::string_view name);

// A filter as the kernel takes it: BPF instructions plus SECCOMP_FILTER_FLAG_*
// bits. Computed before fork, it can be installed with one raw syscall and no
// allocation (LoadSeccompProgram), for code that runs between fork and exec.
struct SeccompProgram {
  std::vector<sock_filter> instructions;
  unsigned int flags = 0;
};

// A compiled filter (owns a scmp_filter_ctx). Move-only.
class SeccompFilter {
 public:
  // Compiles `profile`. Syscall names this architecture does not know are
  // skipped (as runc does); rules whose action equals the default action are
  // dropped (libseccomp refuses them). Several conditions on the same
  // argument index become one rule each (libseccomp cannot AND them), as in
  // runc. The filter does not set no_new_privs itself: loading it then needs
  // CAP_SYS_ADMIN, unless SetNoNewPrivileges() was called first.
  // SCMP_ACT_NOTIFY is refused as not supported yet.
  static Result<SeccompFilter> Compile(const oci::Seccomp& profile);

  SeccompFilter(SeccompFilter&& other) noexcept;
  SeccompFilter& operator=(SeccompFilter&& other) noexcept;
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;
  ~SeccompFilter();

  // Installs the filter on the calling thread (all threads with the TSYNC flag).
  Result<> Load() const;

  // The BPF program libseccomp generated, with the profile's flags.
  Result<SeccompProgram> Export() const;

  // The number of rules added (after skipping unknown syscalls), for tests and logs.
  int rule_count() const { return rule_count_; }
  // Syscall names skipped because this architecture does not know them.
  int skipped_syscalls() const { return skipped_syscalls_; }

 private:
  explicit SeccompFilter(scmp_filter_ctx ctx) : ctx_(ctx) {}
  Result<> AddSyscall(const oci::SeccompSyscall& syscall, uint32_t default_action);
  Result<> AddRule(int number, std::string_view name, uint32_t action,
                   const std::vector<scmp_arg_cmp>& conditions);

  scmp_filter_ctx ctx_ = nullptr;
  unsigned int kernel_flags_ = 0;  // SECCOMP_FILTER_FLAG_* from the profile's flags
  int rule_count_ = 0;
  int skipped_syscalls_ = 0;
};

// seccomp(SECCOMP_SET_MODE_FILTER) with a program from SeccompFilter::Export.
// Allocates nothing unless it fails. Needs no_new_privs or CAP_SYS_ADMIN.
Result<> LoadSeccompProgram(const SeccompProgram& program);

// Compiles and discards: every name, op, arch and flag is checked.
Result<> ValidateSeccomp(const oci::Seccomp& profile);

}  // namespace cocoon::linux
