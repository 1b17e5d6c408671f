// A guest address space: its VMAs, brk, the mmap family, guest-memory copies,
// and fork. The VMAs are the truth; a platform Context mirrors them.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "kernel/mm/layout.h"
#include "kernel/mm/memory_file.h"
#include "platform/platform.h"

namespace cocoon::kernel {

struct Vma {
  uint64_t start = 0;
  uint64_t end = 0;
  int prot = 0;               // PROT_*
  bool shared = false;        // MAP_SHARED: forks share it, no copy
  std::shared_ptr<MemoryRange> range;
  uint64_t range_offset = 0;  // where `start` lies within `range`
  std::string name;           // "[heap]", "[stack]", or a path, for /proc/<pid>/maps
  // Private pages that another address space may map too since a fork: they
  // are mirrored without PROT_WRITE, and the first write (a guest fault or a
  // kernel copy-out) resolves them, copying only pages still shared.
  bool cow = false;
  // Where this address space puts its copies of `range`'s pages, at the same
  // offsets, so that copied neighbours merge back into one VMA. Lazily made;
  // never shared (fork drops it).
  std::shared_ptr<MemoryRange> cow_copy;

  uint64_t len() const { return end - start; }
  // What the platform maps: copy-on-write pages stay read-only until resolved.
  int mapped_prot() const { return cow ? prot & ~PROT_WRITE : prot; }
  uint64_t FileOffset(uint64_t addr) const { return range->offset() + range_offset + (addr - start); }
};

class MemoryManager {
 public:
  explicit MemoryManager(MemoryFile& file) : file_(file) {}
  // Gives back the pages only this address space maps.
  ~MemoryManager();
  MemoryManager(const MemoryManager&) = delete;
  MemoryManager& operator=(const MemoryManager&) = delete;

  // Mirrors every VMA into `ctx` and keeps mirroring changes until Detach.
  Result<> Attach(platform::Context* ctx);
  void Detach() { ctx_ = nullptr; }
  // An independent copy for fork: private memory shared copy-on-write (both
  // sides lose write access to it until they fault), shared memory shared.
  // nullptr if this address space's mirror could not be write-protected.
  std::unique_ptr<MemoryManager> Fork();
  // Resolves a guest fault at `addr` (SEGV_ACCERR): true if it was a write to a
  // copy-on-write page the VMA allows writing, now writable, so the guest can
  // simply retry; false if the guest really broke the protection.
  bool HandleFault(uint64_t addr);

  // The mmap family, with Linux's argument checks; results as the guest sees them.
  int64_t Mmap(uint64_t addr, uint64_t len, int prot, int flags, const std::string& name = "");
  int64_t Munmap(uint64_t addr, uint64_t len);
  int64_t Mprotect(uint64_t addr, uint64_t len, int prot);
  int64_t Mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
  int64_t Madvise(uint64_t addr, uint64_t len, int advice);
  int64_t Brk(uint64_t addr);
  void SetBrkStart(uint64_t addr) { brk_start_ = brk_end_ = addr; }
  uint64_t brk_start() const { return brk_start_; }

  // Copies to and from guest memory, checked against VMAs and their protection
  // (`force` ignores protection, for the loader and ptrace-like access).
  // Return 0 or -EFAULT.
  int64_t CopyIn(uint64_t addr, void* dst, uint64_t len, bool force = false) const;
  // CopyOut resolves copy-on-write first: nobody else sees the kernel's writes.
  int64_t CopyOut(uint64_t addr, const void* src, uint64_t len, bool force = false);
  // The bytes of a NUL-terminated guest string; see CopyInString in syscall.h.
  int64_t CopyInString(uint64_t addr, uint64_t max_len, std::string* out) const;

  // Where guest address `addr` lives in the memory file (futex keys: the same
  // for every process sharing the page); nullopt if unmapped.
  std::optional<uint64_t> FileOffsetOf(uint64_t addr) const;

  const std::map<uint64_t, Vma>& vmas() const { return vmas_; }
  // Drops every mapping (execve).
  void Clear();

 private:
  // Splits the VMA containing `addr` (if any) so that a VMA starts at `addr`.
  void SplitAt(uint64_t addr);
  // Removes [start, end) from the VMA map (no mirroring).
  void RemoveRange(uint64_t start, uint64_t end);
  bool IsFree(uint64_t start, uint64_t end) const;
  // A free range of `len` bytes, searched downwards from kMmapTop; 0 if none.
  uint64_t FindFree(uint64_t len) const;
  // Inserts a VMA and mirrors it; -ENOMEM when the memory file is full.
  int64_t Insert(Vma vma);
  // Applies `fn(vma_chunk, chunk_start, chunk_len)` over [addr, addr+len);
  // -EFAULT if part of it is unmapped or lacks `prot`.
  template <typename Fn>
  int64_t ForEachChunk(uint64_t addr, uint64_t len, int prot, Fn fn) const;
  int64_t Mirror(Result<> result) const;
  // The VMA containing `addr`, or vmas_.end().
  std::map<uint64_t, Vma>::iterator FindVma(uint64_t addr);
  // Whether [addr, addr+len) is mapped by VMAs the guest would see as one
  // (copy-on-write splits VMAs where Linux would not): mremap's rule.
  bool OneGuestVma(uint64_t addr, uint64_t len) const;
  // Mirrors the protection of the VMAs in [start, end), one call per run of
  // equal protection; `writable_cow_only` limits it to what fork must take back.
  int64_t MirrorProtect(uint64_t start, uint64_t end, bool writable_cow_only);
  // Merges the VMA starting at `addr` with equal, contiguous neighbours.
  void MergeAround(uint64_t addr);
  // Copy-on-write resolution of the page at `addr` in a `cow` VMA, whatever the
  // VMA's protection: a private copy if others still map the page, else write
  // access to the run of pages around it that only we map. 0 or -ENOMEM.
  int64_t BreakCow(uint64_t addr);
  int64_t CopyPage(uint64_t addr);
  int64_t TakeOver(uint64_t addr);
  // Resolves copy-on-write for every page of [addr, addr+len) (mapped).
  int64_t BreakCowRange(uint64_t addr, uint64_t len);
  // MADV_DONTNEED of private memory: reads as zeros here, unchanged elsewhere.
  int64_t ZeroPrivate(uint64_t addr, uint64_t len);
  // Drops this address space's share of every private page (exit, execve).
  void ReleaseAll();

  MemoryFile& file_;
  platform::Context* ctx_ = nullptr;
  std::map<uint64_t, Vma> vmas_;  // by start address
  uint64_t brk_start_ = 0;
  uint64_t brk_end_ = 0;
};

}  // namespace cocoon::kernel
