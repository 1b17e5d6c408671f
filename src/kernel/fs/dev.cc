// Memory devices and the /dev tmpfs.
#include "kernel/fs/dev.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string_view>
#include <utility>

#include "kernel/fs/host_fd.h"
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
constexpr uint32_t kConsoleMinor = 1;

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

// The host terminal behind /dev/console: one per sandbox process, like the
// device table it is registered in.
struct Console {
  std::mutex mu;
  UniqueFd fd;
  dev_t rdev = 0;
};
Console& TheConsole() {
  static Console console;
  return console;
}

bool HaveConsole() {
  Console& c = TheConsole();
  std::lock_guard lock(c.mu);
  return c.fd.valid();
}

// A new description of the console: a host-fd file over a dup of its fd.
ErrOr<Ref<vfs::FileDescription>> OpenConsole(int flags) {
  Console& c = TheConsole();
  std::lock_guard lock(c.mu);
  if (!c.fd) return Fail(ENXIO);
  UniqueFd dup(fcntl(c.fd.get(), F_DUPFD_CLOEXEC, 3));
  if (!dup) return Fail(errno);
  return NewHostFdFile(std::move(dup), flags & (O_ACCMODE | O_APPEND | O_NONBLOCK));
}

// /dev/tty: the controlling terminal, which is the console when there is one;
// without, opening it fails as Linux does for a process without a terminal.
ErrOr<Ref<vfs::FileDescription>> OpenTty(int flags) { return OpenConsole(flags); }

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
  vfs::RegisterCharDevice(kTtyMajor, kConsoleMinor, &OpenConsole);
}

void SetConsole(UniqueFd fd) {
  Console& c = TheConsole();
  struct stat st {};
  std::lock_guard lock(c.mu);
  c.rdev = fd && fstat(fd.get(), &st) == 0 ? st.st_rdev : 0;
  c.fd = std::move(fd);
}

bool IsConsole(int host_fd) {
  Console& c = TheConsole();
  struct stat st {};
  std::lock_guard lock(c.mu);
  return c.fd && fstat(host_fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == c.rdev;
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
  if (HaveConsole()) add("console", {S_IFCHR | 0620, makedev(kTtyMajor, kConsoleMinor)});
  for (const auto& l : kDevLinks) add(l.name, {S_IFLNK | 0777, 0, l.target});
  for (const auto& d : kDevDirs) add(d.name, {S_IFDIR | d.mode});
  return dev;
}

}  // namespace cocoon::kernel::fs
