// Which of the spec's mounts the gofer serves: bind mounts of host
// directories (the kernel has its own /proc, /dev, /sys, tmpfs and the rest).
// The launcher passes them to the gofer; the sandbox mounts the gofer's tree
// for each at its destination. One rule, used by both.
#pragma once

#include <string>
#include <vector>

#include "gofer/gofer.h"
#include "oci/spec.h"

namespace cocoon::sandbox {

// The spec's bind mounts outside the kernel's own trees, sources made
// absolute against `bundle` (the sandbox, which cannot see the host, asks
// the gofer for each destination and skips what it does not serve).
std::vector<gofer::GoferMount> BindMounts(const oci::Spec& spec, const std::string& bundle);
// Those whose source is a directory: what the launcher asks the gofer to serve.
std::vector<gofer::GoferMount> GoferMounts(const oci::Spec& spec, const std::string& bundle);

}  // namespace cocoon::sandbox
