// Device nodes and /dev links.
#include "rootfs/devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "rootfs/mount_call.h"
#include "rootfs/safe_path.h"

namespace cocoon::rootfs {
namespace {

struct DefaultDevice {
  std::string_view path;
  uint32_t major, minor;
};

// What every container gets, as runc creates them: character devices, mode 0666, owned by root.
constexpr std::array kDefaultDevices = {
    DefaultDevice{"/dev/null", 1, 3},    DefaultDevice{"/dev/zero", 1, 5},
    DefaultDevice{"/dev/full", 1, 7},    DefaultDevice{"/dev/random", 1, 8},
    DefaultDevice{"/dev/urandom", 1, 9}, DefaultDevice{"/dev/tty", 5, 0},
};

struct DeviceType {
  std::string_view oci;
  mode_t type;
};

// "u" (unbuffered) is a character device to the kernel.
constexpr std::array kDeviceTypes = {
    DeviceType{"c", S_IFCHR}, DeviceType{"u", S_IFCHR}, DeviceType{"b", S_IFBLK}, DeviceType{"p", S_IFIFO},
};

struct DevLink {
  std::string_view path, target;
};

constexpr std::array kDevLinks = {
    DevLink{"/dev/fd", "/proc/self/fd"},
    DevLink{"/dev/stdin", "/proc/self/fd/0"},
    DevLink{"/dev/stdout", "/proc/self/fd/1"},
    DevLink{"/dev/stderr", "/proc/self/fd/2"},
};
constexpr DevLink kCoreLink{"/dev/core", "/proc/kcore"};
constexpr DevLink kPtmxLink{"/dev/ptmx", "pts/ptmx"};

Result<> BindHostNode(int root_fd, const DeviceNode& dev) {
  UniqueFd file = TRY(MakeFileInRoot(root_fd, dev.path, 0000));
  Target target{std::move(file), dev.path};
  return Mount(dev.path, target, "", MS_BIND, "");
}

// symlinkat, keeping whatever is already at the path.
Result<> Link(int root_fd, const DevLink& link) {
  ParentDir parent = TRY(OpenParentInRoot(root_fd, link.path));
  if (::symlinkat(std::string(link.target).c_str(), parent.fd.get(), parent.name.c_str()) < 0 && errno != EEXIST)
    return std::unexpected(ErrnoError(fmt::format("symlink {} -> {}", link.path, link.target)));
  return {};
}

}  // namespace

Result<mode_t> DeviceFileType(std::string_view oci_type) {
  for (const DeviceType& t : kDeviceTypes) {
    if (t.oci == oci_type) return t.type;
  }
  return std::unexpected(Errorf("linux.devices: unknown device type \"{}\"", oci_type));
}

Result<std::vector<DeviceNode>> DevicesFor(const oci::Spec& spec) {
  std::vector<DeviceNode> out;
  for (const DefaultDevice& d : kDefaultDevices)
    out.push_back(DeviceNode{std::string(d.path), S_IFCHR, d.major, d.minor, 0666, 0, 0});
  if (!spec.linux) return out;
  for (const oci::Device& d : spec.linux->devices) {
    if (!d.path.starts_with('/')) return std::unexpected(Errorf("linux.devices: path \"{}\" is not absolute", d.path));
    if (d.major < 0 || d.minor < 0)
      return std::unexpected(Errorf("linux.devices: {}: negative major/minor", d.path));
    DeviceNode node{d.path, TRY_CTX(DeviceFileType(d.type), d.path), static_cast<uint32_t>(d.major),
                    static_cast<uint32_t>(d.minor), d.file_mode.value_or(0666) & 07777, d.uid.value_or(0),
                    d.gid.value_or(0)};
    auto same = std::find_if(out.begin(), out.end(), [&](const DeviceNode& n) { return n.path == node.path; });
    if (same != out.end()) {
      *same = std::move(node);
    } else {
      out.push_back(std::move(node));
    }
  }
  return out;
}

Result<> CreateDevice(int root_fd, const DeviceNode& dev, bool bind_host_node) {
  if (bind_host_node) return WithContext(BindHostNode(root_fd, dev), fmt::format("device {}", dev.path));
  ParentDir parent = TRY_CTX(OpenParentInRoot(root_fd, dev.path), fmt::format("device {}", dev.path));
  const char* name = parent.name.c_str();
  if (::mknodat(parent.fd.get(), name, dev.type | dev.mode, makedev(dev.major, dev.minor)) < 0) {
    if (errno == EEXIST) return {};
    if (errno == EPERM) return WithContext(BindHostNode(root_fd, dev), fmt::format("device {}", dev.path));
    return std::unexpected(ErrnoError(fmt::format("mknod {}", dev.path)));
  }
  if (::fchownat(parent.fd.get(), name, dev.uid, dev.gid, AT_SYMLINK_NOFOLLOW) < 0)
    return std::unexpected(ErrnoError(fmt::format("chown {}", dev.path)));
  // mknod applied the umask; the spec's mode is exact.
  if (::fchmodat(parent.fd.get(), name, dev.mode, 0) < 0)
    return std::unexpected(ErrnoError(fmt::format("chmod {}", dev.path)));
  return {};
}

Result<> CreateDevLinks(int root_fd, bool with_core) {
  for (const DevLink& link : kDevLinks) TRY(Link(root_fd, link));
  if (with_core) TRY(Link(root_fd, kCoreLink));
  // The pts instance's ptmx is the one that allocates ptys in this container's devpts.
  ParentDir parent = TRY(OpenParentInRoot(root_fd, kPtmxLink.path));
  if (::unlinkat(parent.fd.get(), parent.name.c_str(), 0) < 0 && errno != ENOENT)
    return std::unexpected(ErrnoError("removing /dev/ptmx"));
  return Link(root_fd, kPtmxLink);
}

}  // namespace cocoon::rootfs
