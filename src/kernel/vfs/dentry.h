// Dentry: a name in the tree of one file system, cached by the vfs.
//
// Ownership: a dentry owns its cached children (Ref); the parent link is a raw
// pointer, valid while the dentry is attached, because a parent cannot be
// freed while it still owns the child. Unlink and rename-over detach a dentry
// (parent null, deleted), so open files of removed names stay valid. All
// mutation and name/parent reads happen under the file system's tree_mutex().
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "kernel/vfs/inode.h"
#include "kernel/vfs/ref.h"

namespace cocoon::kernel::vfs {

class Dentry : public RefCounted {
 public:
  Dentry(Ref<Inode> inode, Dentry* parent, std::string name);

  Inode& inode() const { return *inode_; }
  const Ref<Inode>& inode_ref() const { return inode_; }
  Dentry* parent() const { return parent_; }
  const std::string& name() const { return name_; }
  bool deleted() const { return deleted_; }

  // True when `ancestor` is this dentry or above it.
  bool IsDescendantOf(const Dentry* ancestor) const;

  // The cached child, or null.
  Dentry* FindChild(std::string_view name) const;
  // Caches `inode` as child `name`, replacing any old entry.
  Dentry* AddChild(std::string name, Ref<Inode> inode);
  // Removes child `name` from the cache and marks it deleted.
  void DetachChild(std::string_view name);
  // Moves child `name` to `new_parent` as `new_name` (rename); an existing
  // child there is detached first.
  void MoveChild(std::string_view name, Dentry& new_parent, std::string new_name);

 private:
  Ref<Inode> inode_;
  Dentry* parent_;
  std::string name_;
  bool deleted_ = false;
  std::map<std::string, Ref<Dentry>, std::less<>> children_;
};

}  // namespace cocoon::kernel::vfs
