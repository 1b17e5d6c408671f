// Helpers for the vfs value types.
#include "kernel/vfs/types.h"

#include <dirent.h>

#include <algorithm>

namespace cocoon::kernel::vfs {

struct stat ToLinuxStat(const Stat& s) {
  struct stat out {};
  out.st_dev = s.dev;
  out.st_ino = s.ino;
  out.st_mode = s.mode;
  out.st_nlink = s.nlink;
  out.st_uid = s.uid;
  out.st_gid = s.gid;
  out.st_rdev = s.rdev;
  out.st_size = s.size;
  out.st_blksize = s.blksize;
  out.st_blocks = s.blocks;
  out.st_atim = s.atime;
  out.st_mtim = s.mtime;
  out.st_ctim = s.ctime;
  return out;
}

bool Creds::InGroup(uint32_t g) const {
  return g == gid || std::find(groups.begin(), groups.end(), g) != groups.end();
}

uint8_t DirentType(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return DT_REG;
    case S_IFDIR: return DT_DIR;
    case S_IFLNK: return DT_LNK;
    case S_IFCHR: return DT_CHR;
    case S_IFBLK: return DT_BLK;
    case S_IFIFO: return DT_FIFO;
    case S_IFSOCK: return DT_SOCK;
    default: return DT_UNKNOWN;
  }
}

timespec Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

}  // namespace cocoon::kernel::vfs
