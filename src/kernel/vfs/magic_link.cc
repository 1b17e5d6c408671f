// Detached dentries for open files reached through magic links.
#include "kernel/vfs/magic_link.h"

#include <sys/stat.h>

#include "kernel/vfs/dentry.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::vfs {

namespace {

// A new description over an open file (opening /proc/self/fd/N again): its
// own flags and, for a seekable file, its own offset (so it reads from the
// start, as Linux's reopen does); the original's data and readiness.
class ReopenedFile : public FileDescription {
 public:
  ReopenedFile(Ref<FileDescription> file, bool seekable) : file_(std::move(file)), seekable_(seekable) {}

  int64_t Ioctl(uint32_t request, uint64_t arg) override { return file_->Ioctl(request, arg); }
  ErrOr<int64_t> BytesReadable() override { return file_->BytesReadable(); }
  int64_t Fsync() override { return file_->Fsync(); }
  uint32_t Readiness(uint32_t mask) override { return file_->Readiness(mask); }
  WaitQueue* wait_queue() override { return file_->wait_queue(); }
  int HostFd() const override { return file_->HostFd(); }

 protected:
  // Seekable: the defaults, at this description's offset, over PRead/PWrite.
  int64_t DoRead(std::span<char> buf) override {
    return seekable_ ? FileDescription::DoRead(buf) : file_->Read(buf);
  }
  int64_t DoWrite(std::span<const char> buf) override {
    return seekable_ ? FileDescription::DoWrite(buf) : file_->Write(buf);
  }
  int64_t DoPRead(std::span<char> buf, int64_t offset) override { return file_->PRead(buf, offset); }
  int64_t DoPWrite(std::span<const char> buf, int64_t offset) override { return file_->PWrite(buf, offset); }
  int64_t DoSeek(int64_t offset, int whence) override {
    return seekable_ ? FileDescription::DoSeek(offset, whence) : file_->Seek(offset, whence);
  }
  bool seekable() const override { return seekable_; }
  int64_t DoGetDents64(std::span<char> buf) override { return file_->GetDents64(buf); }
  ErrOr<Stat> DoGetStat() override { return file_->GetStat(); }
  ErrOr<void> DoSetStat(const SetStatRequest& request) override { return file_->SetStat(request); }

 private:
  Ref<FileDescription> file_;
  bool seekable_;
};

// The inode of a detached dentry: the open file's metadata; opening it
// reopens the file.
class OpenFileInode : public Inode {
 public:
  OpenFileInode(FileSystem& fs, const Stat& st, Ref<FileDescription> file)
      : Inode(fs, st.ino, st.mode, st.uid, st.gid, st.rdev), file_(std::move(file)) {}

  ErrOr<Stat> GetStat() override { return file_->GetStat(); }
  ErrOr<void> SetStat(const SetStatRequest& request) override { return file_->SetStat(request); }
  ErrOr<Ref<FileDescription>> Open(int) override {
    bool seekable = IsRegular() || type() == S_IFBLK;
    return Ref<FileDescription>(MakeRef<ReopenedFile>(file_, seekable));
  }

 private:
  Ref<FileDescription> file_;
};

}  // namespace

ErrOr<VirtualDentry> MagicLinkTarget(const Ref<Mount>& mount, Ref<FileDescription> file) {
  if (file->location()) return file->location();
  Stat st = TRY(file->GetStat());
  auto inode = MakeRef<OpenFileInode>(mount->root()->inode().fs(), st, std::move(file));
  return VirtualDentry{mount, MakeRef<Dentry>(std::move(inode), nullptr, "")};
}

}  // namespace cocoon::kernel::vfs
