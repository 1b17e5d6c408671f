// Semantic checks of a parsed spec before create/run, following runc's rules;
// every error names the offending field, e.g.
// `linux.namespaces[2].type: unknown namespace type "foo"`.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::oci {

// Checks `spec` for creating a container from `bundle_dir`: versions, root and
// rootfs directory, process, namespaces and id mappings, mounts, hooks,
// hostname/domainname, time offsets, sysctls, devices, device cgroup rules,
// rootfs propagation and personality. Capability, rlimit and seccomp NAMES are
// checked by the linux module, which owns those tables.
Result<> ValidateSpec(const Spec& spec, const std::string& bundle_dir);

// The namespace types of the runtime spec ("pid", "network", ...).
bool IsKnownNamespaceType(std::string_view type);

// The rootfs directory: root.path, relative to `bundle_dir` unless absolute.
std::string RootfsPath(const Spec& spec, const std::string& bundle_dir);

}  // namespace cocoon::oci
