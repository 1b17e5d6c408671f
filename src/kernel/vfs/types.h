// Plain value types shared by every file system: stat, credentials, attribute
// changes, directory entries.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cocoon::kernel::vfs {

// What stat(2) reports, in Linux's units; converted to the ABI struct by the
// syscall layer (ToLinuxStat).
struct Stat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;  // type and permission bits
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  int64_t size = 0;
  int64_t blksize = 4096;
  int64_t blocks = 0;  // 512-byte units
  timespec atime{};
  timespec mtime{};
  timespec ctime{};
};

// The x86-64 `struct stat` the guest sees (the host's layout is the same ABI).
struct stat ToLinuxStat(const Stat& s);

// The identity a path operation runs with. uid 0 has CAP_DAC_OVERRIDE and
// CAP_FOWNER/CAP_CHOWN (the sandbox has no finer capability model yet).
struct Creds {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;

  bool privileged() const { return uid == 0; }
  bool InGroup(uint32_t g) const;
};

// Access bits for permission checks (as MAY_* in Linux).
inline constexpr int kMayExec = 1;
inline constexpr int kMayWrite = 2;
inline constexpr int kMayRead = 4;

// A change of attributes (chmod, chown, truncate, utimes); unset fields stay.
struct SetStatRequest {
  std::optional<uint32_t> mode;  // permission bits only (07777)
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<int64_t> size;
  std::optional<timespec> atime;
  std::optional<timespec> mtime;
};

// One name in a directory listing (without "." and "..": the vfs adds them).
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint8_t type = 0;  // DT_* from the mode
};

// DT_* for a mode's file type, as getdents64 reports it.
uint8_t DirentType(uint32_t mode);

// The wall clock used for file times.
timespec Now();

}  // namespace cocoon::kernel::vfs
