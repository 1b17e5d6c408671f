// The example config.json that `cocoon spec` writes: the same document as
// `runc spec` (and `runc spec --rootless`), key order included.
#pragma once

#include <nlohmann/json.hpp>

namespace cocoon::oci {

// runc's default spec. With `rootless`, as runc's ToRootless: a new user
// namespace mapping root to the caller's effective uid/gid, no new network
// namespace, /sys bind-mounted instead of a new sysfs, no gid= on devpts and
// no cgroup device rules.
nlohmann::ordered_json DefaultSpec(bool rootless);

}  // namespace cocoon::oci
