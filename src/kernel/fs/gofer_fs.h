// gofer: the container's files as the gofer serves them (the root and bind
// mounts). Every name lookup is a gofer walk, metadata changes are gofer
// requests, and file data goes through the host fd the gofer donates on
// open (pread/pwrite, no round trip per read). Symlinks come back as
// symlink inodes that the vfs resolves inside the guest's root.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/unique_fd.h"
#include "gofer/client.h"
#include "kernel/vfs/inode.h"

namespace cocoon::kernel::fs {

using vfs::ErrOr;
using vfs::MakeRef;
using vfs::Ref;

class GoferFs : public vfs::FileSystem {
 public:
  // The tree the gofer serves at `path` ("/" or a bind mount's container
  // path). Host errors are rich.
  static Result<Ref<GoferFs>> Create(std::shared_ptr<gofer::Client> client, std::string_view path = "/");

  std::string_view type() const override { return "gofer"; }
  std::string options() const override { return read_only_ ? "ro" : "rw"; }

  gofer::Client& client() const { return *client_; }
  const std::shared_ptr<gofer::Client>& shared_client() const { return client_; }

 private:
  GoferFs(std::shared_ptr<gofer::Client> client, bool read_only)
      : client_(std::move(client)), read_only_(read_only) {}

  std::shared_ptr<gofer::Client> client_;
  bool read_only_;
};

class GoferInode : public vfs::Inode {
 public:
  // Takes over `node.handle` (closed with the inode). `created_fd`, for a
  // file just created, serves its first Open without another round trip.
  GoferInode(GoferFs& fs, const gofer::Node& node, UniqueFd created_fd = {});
  ~GoferInode() override;

  ErrOr<vfs::Stat> GetStat() override;
  ErrOr<void> SetStat(const vfs::SetStatRequest& request) override;
  ErrOr<Ref<vfs::Inode>> Lookup(std::string_view name) override;
  ErrOr<Ref<vfs::Inode>> MakeNode(std::string_view name, const vfs::NodeSpec& spec) override;
  ErrOr<void> Link(std::string_view name, vfs::Inode& target) override;
  ErrOr<void> Unlink(std::string_view name) override;
  ErrOr<void> Rename(std::string_view old_name, vfs::Inode& renamed, vfs::Inode& new_dir,
                     std::string_view new_name, uint32_t flags) override;
  ErrOr<std::vector<vfs::DirEntry>> ReadDir() override;
  ErrOr<std::string> ReadLink() override;
  ErrOr<Ref<vfs::FileDescription>> Open(int flags) override;

  uint64_t handle() const { return handle_; }

 private:
  gofer::Client& client() const { return *client_; }
  // Another GoferInode of this file system, or null.
  GoferInode* Same(vfs::Inode& other) const;
  // Refreshes the cached attributes the vfs checks permissions with.
  void Cache(const gofer::NodeStat& st);

  // Its own reference: the root inode is destroyed by ~FileSystem, after
  // GoferFs's members are gone, and still closes its handle.
  const std::shared_ptr<gofer::Client> client_;
  const uint64_t handle_;
  UniqueFd created_fd_;                      // guarded by mu_
  std::optional<std::string> link_target_;  // guarded by mu_; symlink targets never change
};

// gofer::NodeStat in the vfs's terms, on device `dev`.
vfs::Stat FromNodeStat(const gofer::NodeStat& st, uint64_t dev);

}  // namespace cocoon::kernel::fs
