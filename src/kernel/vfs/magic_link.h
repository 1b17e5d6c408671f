// Magic links (/proc/<pid>/fd/N): following one reaches the open file itself,
// not the path its readlink shows. A file with a path resolves to that path;
// one without (a pipe, the sandbox's stdio) to a detached dentry standing for
// the open file, as Linux does, so that `echo > /dev/stderr`, `cat /dev/stdin`
// and stat through the link work for every kind of file.
#pragma once

#include "kernel/vfs/file.h"
#include "kernel/vfs/mount.h"

namespace cocoon::kernel::vfs {

// Where following a magic link to `file` leads; `mount` is the link's own
// (a detached dentry still needs one for the vfs's checks).
ErrOr<VirtualDentry> MagicLinkTarget(const Ref<Mount>& mount, Ref<FileDescription> file);

}  // namespace cocoon::kernel::vfs
