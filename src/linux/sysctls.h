// Namespaced sysctls (linux.sysctl): runc's rules for which keys a container may set, and writing
// them.
#pragma once

#include <map>
#include <string>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::linux {

// Keys are dotted ("net.ipv4.ip_forward") or slashed ("net/ipv4/conf/eth0.1/forwarding",
// where a dot is part of a name). As runc: kernel.msg*, kernel.sem, kernel.shm* and
// fs.mqueue.* need the ipc namespace; net.* needs the network namespace (a joined
// one must not be the host's); kernel.domainname and kernel.hostname need the uts
// namespace (kernel.hostname only when the spec's hostname field is empty, since they
// would conflict); every other key is rejected, as it is not namespaced.
Result<> ValidateSysctl(const std::map<std::string, std::string>& sysctl, const oci::Spec& spec);

// "/proc/sys/net/ipv4/ip_forward" for either key form; rejects empty, "." and ".." parts.
Result<std::string> SysctlPath(const std::string& key);

// Writes each value to /proc/sys. Call inside the container's namespaces,
// with /proc/sys writable (before it is made read-only). Errors name the key.
Result<> ApplySysctl(const std::map<std::string, std::string>& sysctl);

}  // namespace cocoon::linux
