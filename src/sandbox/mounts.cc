// Bind mounts for the gofer.
#include "sandbox/mounts.h"

#include <sys/stat.h>

#include <algorithm>

namespace cocoon::sandbox {
namespace {

bool HasOption(const oci::Mount& mount, std::string_view option) {
  return std::find(mount.options.begin(), mount.options.end(), option) != mount.options.end();
}

bool UnderKernelTree(const std::string& path) {
  for (std::string_view tree : {"/proc", "/dev", "/sys"}) {
    if (path == tree || path.starts_with(std::string(tree) + "/")) return true;
  }
  return false;
}

}  // namespace

std::vector<gofer::GoferMount> BindMounts(const oci::Spec& spec, const std::string& bundle) {
  std::vector<gofer::GoferMount> out;
  for (const auto& mount : spec.mounts) {
    bool bind = mount.type == "bind" || HasOption(mount, "bind") || HasOption(mount, "rbind");
    if (!bind || !mount.destination.starts_with("/") || UnderKernelTree(mount.destination)) continue;
    std::string source = mount.source.starts_with("/") ? mount.source : bundle + "/" + mount.source;
    out.push_back({.host_path = source, .container_path = mount.destination, .read_only = HasOption(mount, "ro")});
  }
  return out;
}

std::vector<gofer::GoferMount> GoferMounts(const oci::Spec& spec, const std::string& bundle) {
  std::vector<gofer::GoferMount> out;
  for (auto& mount : BindMounts(spec, bundle)) {
    struct stat st;
    if (::stat(mount.host_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(std::move(mount));
  }
  return out;
}

}  // namespace cocoon::sandbox
