// The mount option tables and their parser.
#include "rootfs/mount_options.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <array>

namespace cocoon::rootfs {
namespace {

struct FlagOption {
  std::string_view name;
  bool clear;  // true: the option turns `flag` off
  unsigned long flag;
};

// Names follow mount(8) and runc's table; "defaults" sets nothing.
constexpr std::array kFlagOptions = {
    FlagOption{"defaults", false, 0},
    FlagOption{"ro", false, MS_RDONLY},
    FlagOption{"rw", true, MS_RDONLY},
    FlagOption{"nosuid", false, MS_NOSUID},
    FlagOption{"suid", true, MS_NOSUID},
    FlagOption{"nodev", false, MS_NODEV},
    FlagOption{"dev", true, MS_NODEV},
    FlagOption{"noexec", false, MS_NOEXEC},
    FlagOption{"exec", true, MS_NOEXEC},
    FlagOption{"sync", false, MS_SYNCHRONOUS},
    FlagOption{"async", true, MS_SYNCHRONOUS},
    FlagOption{"dirsync", false, MS_DIRSYNC},
    FlagOption{"remount", false, MS_REMOUNT},
    FlagOption{"mand", false, MS_MANDLOCK},
    FlagOption{"nomand", true, MS_MANDLOCK},
    FlagOption{"atime", true, MS_NOATIME},
    FlagOption{"noatime", false, MS_NOATIME},
    FlagOption{"diratime", true, MS_NODIRATIME},
    FlagOption{"nodiratime", false, MS_NODIRATIME},
    FlagOption{"relatime", false, MS_RELATIME},
    FlagOption{"norelatime", true, MS_RELATIME},
    FlagOption{"strictatime", false, MS_STRICTATIME},
    FlagOption{"nostrictatime", true, MS_STRICTATIME},
    FlagOption{"bind", false, MS_BIND},
    FlagOption{"rbind", false, MS_BIND | MS_REC},
};

struct PropagationOption {
  std::string_view name;
  unsigned long flags;
};

constexpr std::array kPropagationOptions = {
    PropagationOption{"private", MS_PRIVATE},
    PropagationOption{"rprivate", MS_PRIVATE | MS_REC},
    PropagationOption{"shared", MS_SHARED},
    PropagationOption{"rshared", MS_SHARED | MS_REC},
    PropagationOption{"slave", MS_SLAVE},
    PropagationOption{"rslave", MS_SLAVE | MS_REC},
    PropagationOption{"unbindable", MS_UNBINDABLE},
    PropagationOption{"runbindable", MS_UNBINDABLE | MS_REC},
};

// statvfs(2) reports per-mount flags as ST_*; most share MS_* values but not all (relatime).
struct StatFlag {
  unsigned long st;
  unsigned long ms;
};

constexpr std::array kStatFlags = {
    StatFlag{ST_RDONLY, MS_RDONLY},         StatFlag{ST_NOSUID, MS_NOSUID},
    StatFlag{ST_NODEV, MS_NODEV},           StatFlag{ST_NOEXEC, MS_NOEXEC},
    StatFlag{ST_SYNCHRONOUS, MS_SYNCHRONOUS}, StatFlag{ST_MANDLOCK, MS_MANDLOCK},
    StatFlag{ST_NOATIME, MS_NOATIME},       StatFlag{ST_NODIRATIME, MS_NODIRATIME},
    StatFlag{ST_RELATIME, MS_RELATIME},
};

template <typename Table>
auto Find(const Table& table, std::string_view name) -> const typename Table::value_type* {
  for (const auto& entry : table) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> KnownMountOptions() {
  std::vector<std::string> names;
  for (const auto& o : kFlagOptions) names.emplace_back(o.name);
  for (const auto& o : kPropagationOptions) names.emplace_back(o.name);
  names.emplace_back("tmpcopyup");
  return names;
}

bool MountOptions::IsBind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::IsRecursive() const { return (flags & MS_REC) != 0; }

std::string MountOptions::Data() const {
  std::string out;
  for (const std::string& option : data) {
    if (!out.empty()) out += ',';
    out += option;
  }
  return out;
}

MountOptions ParseMountOptions(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& option : options) {
    if (const FlagOption* f = Find(kFlagOptions, option)) {
      if (f->clear) {
        out.flags &= ~f->flag;
        out.cleared |= f->flag;
      } else {
        out.flags |= f->flag;
        out.cleared &= ~f->flag;
      }
    } else if (const PropagationOption* p = Find(kPropagationOptions, option)) {
      out.propagation = p->flags;
    } else if (option == "tmpcopyup") {
      out.tmpcopyup = true;
    } else {
      out.data.push_back(option);
    }
  }
  return out;
}

Result<unsigned long> ParsePropagation(std::string_view name) {
  if (const PropagationOption* p = Find(kPropagationOptions, name)) return p->flags;
  return std::unexpected(Errorf("linux.rootfsPropagation: unknown propagation \"{}\"", name));
}

Result<unsigned long> CurrentMountFlags(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) < 0) return std::unexpected(ErrnoError(fmt::format("statvfs {}", path)));
  unsigned long flags = 0;
  for (const StatFlag& f : kStatFlags) {
    if (st.f_flag & f.st) flags |= f.ms;
  }
  return flags;
}

}  // namespace cocoon::rootfs
