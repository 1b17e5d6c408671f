// procfs inodes: synthetic directories, generated files and symlinks.
#include "kernel/fs/proc.h"

#include <dirent.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "kernel/vfs/file.h"

namespace cocoon::kernel::fs {

using vfs::Fail;
using vfs::MakeRef;

namespace {

class ProcFs : public vfs::FileSystem {
 public:
  explicit ProcFs(std::shared_ptr<ProcSource> source) : source_(std::move(source)) {}
  std::string_view type() const override { return "proc"; }
  // Processes come and go: never trust a cached name.
  bool caches_dentries() const override { return false; }
  ProcSource& source() { return *source_; }
  void Init();

 private:
  std::shared_ptr<ProcSource> source_;
};

// A snapshot of generated text, read like a regular file.
class TextFile : public vfs::FileDescription {
 public:
  explicit TextFile(std::string text) : text_(std::move(text)) {}

 protected:
  int64_t DoPRead(std::span<char> buf, int64_t offset) override {
    if (offset >= static_cast<int64_t>(text_.size())) return 0;
    size_t n = std::min(buf.size(), text_.size() - static_cast<size_t>(offset));
    std::memcpy(buf.data(), text_.data() + offset, n);
    return static_cast<int64_t>(n);
  }
  int64_t DoPWrite(std::span<const char>, int64_t) override { return -EACCES; }
  ErrOr<void> DoSetStat(const vfs::SetStatRequest&) override { return Fail(EPERM); }

 private:
  std::string text_;
};

std::optional<int> ParseNumber(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// What a proc inode is: its kind plus the pid/fd it is about.
enum class Kind { kRoot, kGlobalFile, kSelf, kPidDir, kPidFile, kPidLink, kFdDir, kFdLink };

class ProcInode : public vfs::Inode {
 public:
  ProcInode(ProcFs& fs, Kind kind, uint32_t mode, int pid = 0, std::string name = "", int fd = -1)
      : vfs::Inode(fs, fs.NextIno(), mode, 0, 0), kind_(kind), pid_(pid), name_(std::move(name)), fd_(fd) {}

  ErrOr<Ref<vfs::Inode>> Lookup(std::string_view name) override;
  ErrOr<std::vector<vfs::DirEntry>> ReadDir() override;
  ErrOr<std::string> ReadLink() override;
  ErrOr<Ref<vfs::FileDescription>> MagicLinkFile() override {
    if (kind_ != Kind::kFdLink) return Ref<vfs::FileDescription>();
    return source().FdFile(pid_, fd_);
  }
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;
  ErrOr<void> SetStat(const vfs::SetStatRequest&) override { return Fail(EPERM); }

 private:
  ProcFs& procfs() { return static_cast<ProcFs&>(fs()); }
  ProcSource& source() { return procfs().source(); }
  Ref<vfs::Inode> Make(Kind kind, uint32_t mode, int pid, std::string name, int fd = -1) {
    return MakeRef<ProcInode>(procfs(), kind, mode, pid, std::move(name), fd);
  }
  bool PidExists(int pid) {
    auto pids = source().Pids();
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
  }

  Kind kind_;
  int pid_;
  std::string name_;
  int fd_;
};

template <size_t N>
bool Contains(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

ErrOr<Ref<vfs::Inode>> ProcInode::Lookup(std::string_view name) {
  switch (kind_) {
    case Kind::kRoot: {
      if (name == "self") return Make(Kind::kSelf, S_IFLNK | 0777, 0, "self");
      if (Contains(kProcGlobalFiles, name)) return Make(Kind::kGlobalFile, S_IFREG | 0444, 0, std::string(name));
      auto pid = ParseNumber(name);
      if (!pid || !PidExists(*pid)) return Fail(ENOENT);
      return Make(Kind::kPidDir, S_IFDIR | 0555, *pid, std::string(name));
    }
    case Kind::kPidDir:
      if (!PidExists(pid_)) return Fail(ENOENT);
      if (name == "fd") return Make(Kind::kFdDir, S_IFDIR | 0500, pid_, "fd");
      if (Contains(kProcProcessFiles, name)) return Make(Kind::kPidFile, S_IFREG | 0444, pid_, std::string(name));
      if (Contains(kProcProcessLinks, name)) return Make(Kind::kPidLink, S_IFLNK | 0777, pid_, std::string(name));
      return Fail(ENOENT);
    case Kind::kFdDir: {
      auto fd = ParseNumber(name);
      if (!fd) return Fail(ENOENT);
      auto fds = TRY(source().Fds(pid_));
      if (std::find(fds.begin(), fds.end(), *fd) == fds.end()) return Fail(ENOENT);
      return Make(Kind::kFdLink, S_IFLNK | 0700, pid_, std::string(name), *fd);
    }
    default:
      return Fail(ENOTDIR);
  }
}

ErrOr<std::vector<vfs::DirEntry>> ProcInode::ReadDir() {
  std::vector<vfs::DirEntry> out;
  auto add = [&](std::string name, uint32_t mode) { out.push_back({std::move(name), 0, vfs::DirentType(mode)}); };
  switch (kind_) {
    case Kind::kRoot:
      for (auto name : kProcGlobalFiles) add(std::string(name), S_IFREG);
      add("self", S_IFLNK);
      for (int pid : source().Pids()) add(std::to_string(pid), S_IFDIR);
      break;
    case Kind::kPidDir:
      if (!PidExists(pid_)) return Fail(ENOENT);
      for (auto name : kProcProcessFiles) add(std::string(name), S_IFREG);
      for (auto name : kProcProcessLinks) add(std::string(name), S_IFLNK);
      add("fd", S_IFDIR);
      break;
    case Kind::kFdDir:
      for (int fd : TRY(source().Fds(pid_))) add(std::to_string(fd), S_IFLNK);
      break;
    default:
      return Fail(ENOTDIR);
  }
  // Inode numbers only need to be non-zero for readdir users (ls skips 0).
  for (size_t i = 0; i < out.size(); ++i) out[i].ino = 0x1000 + i;
  return out;
}

ErrOr<std::string> ProcInode::ReadLink() {
  switch (kind_) {
    case Kind::kSelf:
      return std::to_string(TRY(source().SelfPid()));
    case Kind::kPidLink:
      return source().ProcessLink(pid_, name_);
    case Kind::kFdLink:
      return source().FdTarget(pid_, fd_);
    default:
      return Fail(EINVAL);
  }
}

ErrOr<Ref<vfs::FileDescription>> ProcInode::Open(int flags) {
  if ((flags & O_ACCMODE) != O_RDONLY) return Fail(EACCES);
  std::string text;
  if (kind_ == Kind::kGlobalFile) {
    text = TRY(source().GlobalFile(name_));
  } else if (kind_ == Kind::kPidFile) {
    text = TRY(source().ProcessFile(pid_, name_));
  } else {
    return Fail(ENXIO);
  }
  return Ref<vfs::FileDescription>(MakeRef<TextFile>(std::move(text)));
}

void ProcFs::Init() { SetRoot(MakeRef<ProcInode>(*this, Kind::kRoot, S_IFDIR | 0555)); }

}  // namespace

Ref<vfs::FileSystem> MakeProcFs(std::shared_ptr<ProcSource> source) {
  auto fs = MakeRef<ProcFs>(std::move(source));
  fs->Init();
  return fs;
}

}  // namespace cocoon::kernel::fs
