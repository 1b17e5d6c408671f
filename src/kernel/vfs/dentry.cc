// The dentry cache tree.
#include "kernel/vfs/dentry.h"

namespace cocoon::kernel::vfs {

Dentry::Dentry(Ref<Inode> inode, Dentry* parent, std::string name)
    : inode_(std::move(inode)), parent_(parent), name_(std::move(name)) {}

bool Dentry::IsDescendantOf(const Dentry* ancestor) const {
  for (const Dentry* d = this; d; d = d->parent_) {
    if (d == ancestor) return true;
  }
  return false;
}

Dentry* Dentry::FindChild(std::string_view name) const {
  auto it = children_.find(name);
  return it == children_.end() ? nullptr : it->second.get();
}

Dentry* Dentry::AddChild(std::string name, Ref<Inode> inode) {
  DetachChild(name);
  auto child = MakeRef<Dentry>(std::move(inode), this, name);
  Dentry* raw = child.get();
  children_.emplace(std::move(name), std::move(child));
  return raw;
}

void Dentry::DetachChild(std::string_view name) {
  auto it = children_.find(name);
  if (it == children_.end()) return;
  it->second->parent_ = nullptr;
  it->second->deleted_ = true;
  children_.erase(it);
}

void Dentry::MoveChild(std::string_view name, Dentry& new_parent, std::string new_name) {
  auto it = children_.find(name);
  if (it == children_.end()) {
    new_parent.DetachChild(new_name);
    return;
  }
  Ref<Dentry> child = std::move(it->second);
  children_.erase(it);
  new_parent.DetachChild(new_name);
  child->parent_ = &new_parent;
  child->name_ = new_name;
  new_parent.children_.emplace(std::move(new_name), std::move(child));
}

}  // namespace cocoon::kernel::vfs
