// The character-device table.
#include "kernel/vfs/device.h"

#include <sys/sysmacros.h>

#include <map>
#include <mutex>

namespace cocoon::kernel::vfs {

namespace {
struct DeviceTable {
  std::mutex mu;
  std::map<uint64_t, DeviceOpener> openers;
};
DeviceTable& Table() {
  static DeviceTable table;
  return table;
}
}  // namespace

void RegisterCharDevice(uint32_t major, uint32_t minor, DeviceOpener opener) {
  DeviceTable& t = Table();
  std::lock_guard lock(t.mu);
  t.openers[makedev(major, minor)] = opener;
}

ErrOr<Ref<FileDescription>> OpenCharDevice(uint64_t rdev, int flags) {
  DeviceOpener opener = nullptr;
  {
    DeviceTable& t = Table();
    std::lock_guard lock(t.mu);
    auto it = t.openers.find(rdev);
    if (it != t.openers.end()) opener = it->second;
  }
  if (!opener) return Fail(ENXIO);
  return opener(flags);
}

}  // namespace cocoon::kernel::vfs
