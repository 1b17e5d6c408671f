// Linux security modules: the AppArmor profile and SELinux label a container's process execs into.
#pragma once

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// Which LSMs the host has enabled.
struct LsmSupport {
  bool apparmor = false;
  bool selinux = false;
};

// AppArmor: /sys/module/apparmor/parameters/enabled says "Y" (as runc checks).
// SELinux: selinuxfs is mounted (/sys/fs/selinux/enforce exists).
LsmSupport DetectLsm();

// Error when the spec asks for a profile or label the host cannot apply:
// `apparmor profile "x" requested but AppArmor is not enabled on this host`.
Result<> ValidateLsm(const oci::Process& process, const LsmSupport& support);
Result<> ValidateLsm(const oci::Process& process);

// Arranges for the next execve of the calling thread to enter
// process.apparmorProfile ("exec <profile>" to /proc/thread-self/attr/apparmor/exec,
// or attr/exec on older kernels) and process.selinuxLabel (attr/exec).
// Nothing to do when both are empty. Call last, just before execve.
Result<> ApplyLsm(const oci::Process& process);

}  // namespace cocoon::linux
