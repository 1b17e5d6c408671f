// Memory devices and the /dev tmpfs.
#include "kernel/fs/dev.h"

#include <sys/random.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <cstring>
#include <utility>
#include <string_view>

#include "kernel/vfs/device.h"

namespace cocoon::kernel::fs {

using vfs::Fail;

namespace {

int64_t ReadNothing(std::span<char>) { return 0; }
int64_t ReadZeros(std::span<char> buf) {
  std::memset(buf.data(), 0, buf.size());
  return static_cast<int64_t>(buf.size());
}
int64_t ReadRandom(std::span<char> buf) {
  // getrandom never blocks once the host pool is initialised (it is, by boot).
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = getrandom(buf.data() + done, buf.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return done ? static_cast<int64_t>(done) : -errno;
    }
    done += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(done);
}
int64_t WriteDiscard(std::span<const char> buf) { return static_cast<int64_t>(buf.size()); }
int64_t WriteFull(std::span<const char> buf) { return buf.empty() ? 0 : -ENOSPC; }

struct MemoryDevice {
  const char* name;
  uint32_t minor;  // major 1 (mem), as on Linux
  int64_t (*read)(std::span<char>);
  int64_t (*write)(std::span<const char>);
};

constexpr uint32_t kMemMajor = 1;
constexpr MemoryDevice kMemoryDevices[] = {
    {"null", 3, ReadNothing, WriteDiscard},  {"zero", 5, ReadZeros, WriteDiscard},
    {"full", 7, ReadZeros, WriteFull},       {"random", 8, ReadRandom, WriteDiscard},
    {"urandom", 9, ReadRandom, WriteDiscard},
};
constexpr uint32_t kTtyMajor = 5;
constexpr uint32_t kTtyMinor = 0;

// An open memory device: stateless reads and writes, lseek always 0.
class MemoryDeviceFile : public vfs::FileDescription {
 public:
  explicit MemoryDeviceFile(const MemoryDevice& device) : device_(device) {}

 protected:
  int64_t DoRead(std::span<char> buf) override { return device_.read(buf); }
  int64_t DoWrite(std::span<const char> buf) override { return device_.write(buf); }
  int64_t DoPRead(std::span<char> buf, int64_t) override { return device_.read(buf); }
  int64_t DoPWrite(std::span<const char> buf, int64_t) override { return device_.write(buf); }
  int64_t DoSeek(int64_t, int) override { return 0; }

 private:
  const MemoryDevice& device_;
};

template <size_t I>
ErrOr<Ref<vfs::FileDescription>> OpenMemoryDevice(int) {
  return Ref<vfs::FileDescription>(MakeRef<MemoryDeviceFile>(kMemoryDevices[I]));
}

template <size_t... I>
void RegisterMemoryDevices(std::index_sequence<I...>) {
  (vfs::RegisterCharDevice(kMemMajor, kMemoryDevices[I].minor, &OpenMemoryDevice<I>), ...);
}

// /dev/tty: the controlling terminal. Tasks have none yet (no sessions in the
// vfs), so opening it fails as Linux does for a process without one.
ErrOr<Ref<vfs::FileDescription>> OpenTty(int) { return Fail(ENXIO); }

struct DevLink {
  const char* name;
  const char* target;
};
constexpr DevLink kDevLinks[] = {
    {"fd", "/proc/self/fd"},         {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};
struct DevDir {
  const char* name;
  uint32_t mode;
};
constexpr DevDir kDevDirs[] = {{"pts", 0755}, {"shm", 01777}};

}  // namespace

void RegisterDevices() {
  RegisterMemoryDevices(std::make_index_sequence<std::size(kMemoryDevices)>());
  vfs::RegisterCharDevice(kTtyMajor, kTtyMinor, &OpenTty);
}

Ref<Tmpfs> MakeDevFs() {
  RegisterDevices();
  Ref<Tmpfs> dev = Tmpfs::Create(0755);
  vfs::Inode& root = dev->root()->inode();
  auto add = [&](std::string_view name, vfs::NodeSpec spec) {
    // A fresh tmpfs cannot refuse these names; a failure is a bug here.
    if (!root.MakeNode(name, spec)) std::abort();
  };
  for (const auto& d : kMemoryDevices) add(d.name, {S_IFCHR | 0666, makedev(kMemMajor, d.minor)});
  add("tty", {S_IFCHR | 0666, makedev(kTtyMajor, kTtyMinor)});
  for (const auto& l : kDevLinks) add(l.name, {S_IFLNK | 0777, 0, l.target});
  for (const auto& d : kDevDirs) add(d.name, {S_IFDIR | d.mode});
  return dev;
}

}  // namespace cocoon::kernel::fs
