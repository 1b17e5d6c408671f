// VMAs and the mmap family over the memory file; every change mirrored to the platform.
#include "kernel/mm/memory_manager.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace cocoon::kernel {
namespace {

// brk grows in place within a heap range reserved this large (file space only).
constexpr uint64_t kHeapReserve = 64 << 20;

bool Readable(int prot) { return (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) != 0; }

bool ValidRange(uint64_t addr, uint64_t len) {
  return addr + len >= addr && addr + len <= kMaxGuestAddress;
}

// Whether `b` continues `a` so exactly that one VMA could hold both.
bool Mergeable(const Vma& a, const Vma& b) {
  return a.end == b.start && a.range == b.range && a.range_offset + a.len() == b.range_offset &&
         a.prot == b.prot && a.shared == b.shared && a.cow == b.cow && a.cow_copy == b.cow_copy &&
         a.name == b.name;
}

}  // namespace

MemoryManager::~MemoryManager() { ReleaseAll(); }

void MemoryManager::ReleaseAll() {
  for (const auto& [start, vma] : vmas_) {
    if (!vma.shared) vma.range->Release(vma.range_offset, vma.len());
  }
}

Result<> MemoryManager::Attach(platform::Context* ctx) {
  ctx_ = ctx;
  for (const auto& [start, vma] : vmas_) {
    TRY_CTX(ctx_->Map(start, vma.len(), vma.mapped_prot(), vma.FileOffset(start)), "mirroring the address space");
  }
  return {};
}

int64_t MemoryManager::Mirror(Result<> result) const {
  if (result) return 0;
  log::Error("kernel: mirroring a mapping into the platform: {}", result.error().message());
  return -ENOMEM;
}

std::unique_ptr<MemoryManager> MemoryManager::Fork() {
  for (auto& [start, vma] : vmas_) {
    if (vma.shared) continue;
    vma.cow = true;
    // The copies range may hold pages the child is about to share: our next
    // copies go to a fresh one, so the two sides never write into one range.
    vma.cow_copy.reset();
  }
  // Marked first: if protecting fails half-way, later faults just find pages
  // nobody else shares and give write access back.
  if (ctx_ && MirrorProtect(0, kMaxGuestAddress, /*writable_cow_only=*/true) < 0) return nullptr;
  auto child = std::make_unique<MemoryManager>(file_);
  child->brk_start_ = brk_start_;
  child->brk_end_ = brk_end_;
  for (const auto& [start, vma] : vmas_) {
    if (!vma.shared) vma.range->Share(vma.range_offset, vma.len());
    child->vmas_.emplace(start, vma);
  }
  return child;
}

void MemoryManager::SplitAt(uint64_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return;
  --it;
  Vma& vma = it->second;
  if (addr <= vma.start || addr >= vma.end) return;
  Vma tail = vma;
  tail.start = addr;
  tail.range_offset = vma.range_offset + (addr - vma.start);
  vma.end = addr;
  vmas_.emplace(addr, std::move(tail));
}

void MemoryManager::RemoveRange(uint64_t start, uint64_t end) {
  SplitAt(start);
  SplitAt(end);
  auto it = vmas_.lower_bound(start);
  while (it != vmas_.end() && it->first < end) {
    const Vma& vma = it->second;
    // Private pages nobody else maps any more are given back now.
    if (!vma.shared) vma.range->Release(vma.range_offset, vma.len());
    it = vmas_.erase(it);
  }
}

bool MemoryManager::IsFree(uint64_t start, uint64_t end) const {
  if (start < kMinGuestAddress || end > kMaxGuestAddress || end < start) return false;
  auto it = vmas_.lower_bound(start);
  if (it != vmas_.end() && it->first < end) return false;
  if (it == vmas_.begin()) return true;
  return std::prev(it)->second.end <= start;
}

uint64_t MemoryManager::FindFree(uint64_t len) const {
  uint64_t top = kMmapTop;
  // Walk VMAs downwards from the top, looking at the gap above each one.
  auto it = vmas_.lower_bound(top);
  while (true) {
    uint64_t floor = kMinGuestAddress;
    if (it != vmas_.begin()) floor = std::max(floor, std::prev(it)->second.end);
    if (top >= floor && top - floor >= len) return top - len;
    if (it == vmas_.begin()) return 0;
    --it;
    top = std::min(top, it->second.start);
  }
}

int64_t MemoryManager::Insert(Vma vma) {
  uint64_t start = vma.start;
  uint64_t len = vma.len();
  int prot = vma.mapped_prot();
  uint64_t offset = vma.FileOffset(start);
  vmas_.emplace(start, std::move(vma));
  if (!ctx_) return 0;
  return Mirror(ctx_->Map(start, len, prot, offset));
}

int64_t MemoryManager::Mmap(uint64_t addr, uint64_t len, int prot, int flags, const std::string& name) {
  if (len == 0) return -EINVAL;
  if (len > kMaxGuestAddress) return -ENOMEM;
  len = PageUp(len);
  int type = flags & MAP_TYPE;
  if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) return -EINVAL;
  if (!(flags & MAP_ANONYMOUS)) return -ENODEV;  // file mappings come with the vfs
  bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  if (fixed) {
    if (addr % kPageSize != 0) return -EINVAL;
    if (!ValidRange(addr, len)) return -ENOMEM;
    if (addr < kMinGuestAddress) return -EPERM;
    if (!IsFree(addr, addr + len)) {
      if (!(flags & MAP_FIXED)) return -EEXIST;
      if (int64_t err = Munmap(addr, len); err < 0) return err;
    }
  } else if (addr == 0 || !IsFree(PageDown(addr), PageDown(addr) + len)) {
    addr = FindFree(len);
    if (addr == 0) return -ENOMEM;
  } else {
    addr = PageDown(addr);
  }
  Vma vma{.start = addr, .end = addr + len, .prot = prot, .shared = type != MAP_PRIVATE, .name = name};
  vma.range = MemoryRange::Allocate(file_, len);
  if (!vma.range) return -ENOMEM;
  if (int64_t err = Insert(std::move(vma)); err < 0) return err;
  return static_cast<int64_t>(addr);
}

int64_t MemoryManager::Munmap(uint64_t addr, uint64_t len) {
  if (addr % kPageSize != 0 || len == 0) return -EINVAL;
  len = PageUp(len);
  if (!ValidRange(addr, len)) return -EINVAL;
  RemoveRange(addr, addr + len);
  if (!ctx_) return 0;
  return Mirror(ctx_->Unmap(addr, len));
}

int64_t MemoryManager::Mprotect(uint64_t addr, uint64_t len, int prot) {
  if (addr % kPageSize != 0) return -EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
  len = PageUp(len);
  if (len == 0) return 0;
  if (!ValidRange(addr, len)) return -ENOMEM;
  // Every page of the range must be mapped, as Linux requires.
  if (ForEachChunk(addr, len, 0, [](const Vma&, uint64_t, uint64_t) {}) < 0) return -ENOMEM;
  SplitAt(addr);
  SplitAt(addr + len);
  for (auto it = vmas_.lower_bound(addr); it != vmas_.end() && it->first < addr + len; ++it) {
    it->second.prot = prot;
  }
  if (!ctx_) return 0;
  // Per VMA: copy-on-write pages must stay read-only even when made writable.
  return MirrorProtect(addr, addr + len, /*writable_cow_only=*/false);
}

int64_t MemoryManager::Madvise(uint64_t addr, uint64_t len, int advice) {
  if (addr % kPageSize != 0) return -EINVAL;
  len = PageUp(len);
  if (len == 0) return 0;
  if (!ValidRange(addr, len)) return -EINVAL;
  if (ForEachChunk(addr, len, 0, [](const Vma&, uint64_t, uint64_t) {}) < 0) return -ENOMEM;
  if (advice != MADV_DONTNEED && advice != MADV_FREE) return 0;  // hints only
  // Private anonymous memory reads as zeros afterwards; shared memory keeps its data.
  return ZeroPrivate(addr, len);
}

int64_t MemoryManager::ZeroPrivate(uint64_t addr, uint64_t len) {
  const uint64_t end = addr + len;
  uint64_t cur = addr;
  while (cur < end) {
    auto it = FindVma(cur);
    uint64_t stop = std::min(end, it->second.end);
    Vma* vma = &it->second;
    if (!vma->shared && !vma->range->cow_shared()) {
      file_.Decommit(vma->FileOffset(cur), stop - cur);
    } else if (!vma->shared) {
      // Another process may still read these pages: take fresh zero pages.
      auto fresh = MemoryRange::Allocate(file_, stop - cur);
      if (!fresh) return -ENOMEM;
      SplitAt(cur);
      SplitAt(stop);
      vma = &vmas_.at(cur);
      vma->range->Release(vma->range_offset, vma->len());
      vma->range = std::move(fresh);
      vma->range_offset = 0;
      vma->cow = false;
      vma->cow_copy.reset();
      if (ctx_) {
        if (int64_t err = Mirror(ctx_->Map(cur, vma->len(), vma->prot, vma->FileOffset(cur))); err < 0) return err;
      }
    }
    cur = stop;
  }
  return 0;
}

int64_t MemoryManager::Mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
                              uint64_t new_addr) {
  if (old_addr % kPageSize != 0) return -EINVAL;
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) return -EINVAL;
  if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  old_len = PageUp(old_len);
  new_len = PageUp(new_len);
  if (new_len == 0 || old_len == 0) return -EINVAL;
  if (!ValidRange(old_addr, old_len) || new_len > kMaxGuestAddress) return -EFAULT;
  if (!OneGuestVma(old_addr, old_len)) return -EFAULT;
  const uint64_t old_end = old_addr + old_len;
  // Growth in place extends the last piece; a move takes its attributes from the first.
  auto it = FindVma(old_end - 1);
  const Vma first = FindVma(old_addr)->second;

  if (!(flags & MREMAP_FIXED) && new_len <= old_len) {
    if (new_len < old_len) {
      if (int64_t err = Munmap(old_addr + new_len, old_len - new_len); err < 0) return err;
    }
    return static_cast<int64_t>(old_addr);
  }
  Vma& vma = it->second;
  // Grow in place when the addresses after it are free and its range has room
  // that no forked process may be using.
  uint64_t room = vma.range->len() - (vma.range_offset + (old_end - vma.start));
  if (!(flags & MREMAP_FIXED) && old_end == vma.end && IsFree(old_end, old_addr + new_len) &&
      room >= new_len - old_len && !vma.range->cow_shared()) {
    uint64_t extra = new_len - old_len;
    vma.end += extra;
    if (ctx_) {
      if (int64_t err = Mirror(ctx_->Map(old_end, extra, vma.mapped_prot(), vma.FileOffset(old_end))); err < 0) {
        return err;
      }
    }
    return static_cast<int64_t>(old_addr);
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  if (first.shared) return -ENOMEM;  // moving shared memory would need the range to grow: not yet
  uint64_t target = new_addr;
  if (flags & MREMAP_FIXED) {
    if (new_addr % kPageSize != 0) return -EINVAL;
    if (!ValidRange(new_addr, new_len) || new_addr < kMinGuestAddress) return -EINVAL;
    if (new_addr < old_end && old_addr < new_addr + new_len) return -EINVAL;  // overlap
    if (int64_t err = Munmap(new_addr, new_len); err < 0) return err;
  } else {
    target = FindFree(new_len);
    if (target == 0) return -ENOMEM;
  }
  Vma moved{.start = target, .end = target + new_len, .prot = first.prot, .shared = false, .name = first.name};
  moved.range = MemoryRange::Allocate(file_, new_len);
  if (!moved.range) return -ENOMEM;
  const uint64_t to = moved.range->offset();
  ForEachChunk(old_addr, std::min(old_len, new_len), 0, [&](const Vma& piece, uint64_t start, uint64_t n) {
    file_.Copy(piece.FileOffset(start), to + (start - old_addr), n);
  });
  if (int64_t err = Munmap(old_addr, old_len); err < 0) return err;
  if (int64_t err = Insert(std::move(moved)); err < 0) return err;
  return static_cast<int64_t>(target);
}

int64_t MemoryManager::Brk(uint64_t addr) {
  if (addr < brk_start_) return static_cast<int64_t>(brk_end_);
  uint64_t old_top = PageUp(brk_end_);
  uint64_t new_top = PageUp(addr);
  if (new_top > old_top) {
    if (!IsFree(old_top, new_top)) return static_cast<int64_t>(brk_end_);
    auto it = vmas_.upper_bound(old_top - 1);
    Vma* heap = nullptr;
    if (it != vmas_.begin() && old_top > brk_start_) {
      Vma& prev = std::prev(it)->second;
      // Not over a range shared by fork: its later pages may be another process's heap.
      if (prev.end == old_top && prev.name == "[heap]" && !prev.range->cow_shared() &&
          prev.range->len() - prev.range_offset >= new_top - prev.start) {
        heap = &prev;
      }
    }
    if (heap) {
      heap->end = new_top;
      if (ctx_ &&
          Mirror(ctx_->Map(old_top, new_top - old_top, heap->mapped_prot(), heap->FileOffset(old_top))) < 0) {
        return static_cast<int64_t>(brk_end_);
      }
    } else {
      Vma vma{.start = old_top, .end = new_top, .prot = PROT_READ | PROT_WRITE, .name = "[heap]"};
      vma.range = MemoryRange::Allocate(file_, std::max(kHeapReserve, new_top - old_top));
      if (!vma.range || Insert(std::move(vma)) < 0) return static_cast<int64_t>(brk_end_);
    }
  } else if (new_top < old_top) {
    Munmap(new_top, old_top - new_top);
  }
  brk_end_ = addr;
  return static_cast<int64_t>(brk_end_);
}

std::optional<uint64_t> MemoryManager::FileOffsetOf(uint64_t addr) const {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return std::nullopt;
  const Vma& vma = std::prev(it)->second;
  if (addr >= vma.end) return std::nullopt;
  return vma.FileOffset(addr);
}

void MemoryManager::Clear() {
  ReleaseAll();
  vmas_.clear();
  brk_start_ = brk_end_ = 0;
  if (ctx_) Mirror(ctx_->Unmap(0, kMaxGuestAddress));
}

template <typename Fn>
int64_t MemoryManager::ForEachChunk(uint64_t addr, uint64_t len, int prot, Fn fn) const {
  uint64_t end = addr + len;
  if (end < addr) return -EFAULT;
  uint64_t cur = addr;
  while (cur < end) {
    auto it = vmas_.upper_bound(cur);
    if (it == vmas_.begin()) return -EFAULT;
    const Vma& vma = std::prev(it)->second;
    if (cur >= vma.end) return -EFAULT;
    if (prot == PROT_READ ? !Readable(vma.prot) : (vma.prot & prot) != prot) return -EFAULT;
    uint64_t n = std::min(end, vma.end) - cur;
    fn(vma, cur, n);
    cur += n;
  }
  return 0;
}

int64_t MemoryManager::CopyIn(uint64_t addr, void* dst, uint64_t len, bool force) const {
  auto* out = static_cast<uint8_t*>(dst);
  return ForEachChunk(addr, len, force ? 0 : PROT_READ, [&](const Vma& vma, uint64_t start, uint64_t n) {
    memcpy(out + (start - addr), file_.Data(vma.FileOffset(start)), n);
  });
}

int64_t MemoryManager::CopyOut(uint64_t addr, const void* src, uint64_t len, bool force) {
  // Check the whole range first, so a bad tail writes nothing.
  if (int64_t err = ForEachChunk(addr, len, force ? 0 : PROT_WRITE, [](const Vma&, uint64_t, uint64_t) {});
      err < 0) {
    return err;
  }
  if (int64_t err = BreakCowRange(addr, len); err < 0) return err;
  const auto* in = static_cast<const uint8_t*>(src);
  return ForEachChunk(addr, len, 0, [&](const Vma& vma, uint64_t start, uint64_t n) {
    memcpy(file_.Data(vma.FileOffset(start)), in + (start - addr), n);
  });
}

int64_t MemoryManager::CopyInString(uint64_t addr, uint64_t max_len, std::string* out) const {
  out->clear();
  uint64_t cur = addr;
  char buf[kPageSize];
  while (out->size() <= max_len) {
    uint64_t n = std::min(PageUp(cur + 1) - cur, max_len + 1 - out->size());
    if (int64_t err = CopyIn(cur, buf, n); err < 0) return err;
    if (const void* nul = memchr(buf, 0, n)) {
      out->append(buf, static_cast<const char*>(nul) - buf);
      return static_cast<int64_t>(out->size());
    }
    out->append(buf, n);
    cur += n;
  }
  return -ENAMETOOLONG;
}

// Copy-on-write.

std::map<uint64_t, Vma>::iterator MemoryManager::FindVma(uint64_t addr) {
  auto it = vmas_.upper_bound(addr);
  if (it == vmas_.begin()) return vmas_.end();
  --it;
  return addr < it->second.end ? it : vmas_.end();
}

bool MemoryManager::OneGuestVma(uint64_t addr, uint64_t len) const {
  const Vma* first = nullptr;
  bool same = true;
  int64_t err = ForEachChunk(addr, len, 0, [&](const Vma& vma, uint64_t, uint64_t) {
    if (!first) first = &vma;
    same = same && vma.prot == first->prot && vma.shared == first->shared && vma.name == first->name;
  });
  return err == 0 && same;
}

int64_t MemoryManager::MirrorProtect(uint64_t start, uint64_t end, bool writable_cow_only) {
  uint64_t run_start = 0;
  uint64_t run_end = 0;
  int run_prot = 0;
  auto flush = [&] { return run_end > run_start ? Mirror(ctx_->Protect(run_start, run_end - run_start, run_prot)) : 0; };
  for (auto it = vmas_.lower_bound(start); it != vmas_.end() && it->first < end; ++it) {
    const Vma& vma = it->second;
    if (writable_cow_only && !(vma.cow && (vma.prot & PROT_WRITE))) continue;
    if (vma.start == run_end && vma.mapped_prot() == run_prot) {
      run_end = vma.end;
      continue;
    }
    if (int64_t err = flush(); err < 0) return err;
    run_start = vma.start;
    run_end = vma.end;
    run_prot = vma.mapped_prot();
  }
  return flush();
}

void MemoryManager::MergeAround(uint64_t addr) {
  auto it = vmas_.find(addr);
  if (it == vmas_.end()) return;
  if (auto next = std::next(it); next != vmas_.end() && Mergeable(it->second, next->second)) {
    it->second.end = next->second.end;
    vmas_.erase(next);
  }
  if (it == vmas_.begin()) return;
  if (auto prev = std::prev(it); Mergeable(prev->second, it->second)) {
    prev->second.end = it->second.end;
    vmas_.erase(it);
  }
}

bool MemoryManager::HandleFault(uint64_t addr) {
  auto it = FindVma(addr);
  if (it == vmas_.end() || !it->second.cow || !(it->second.prot & PROT_WRITE)) return false;
  if (int64_t err = BreakCow(PageDown(addr)); err < 0) {
    log::Error("kernel: no memory to copy a page on write at {:#x}", addr);
    return false;
  }
  return true;
}

int64_t MemoryManager::BreakCowRange(uint64_t addr, uint64_t len) {
  for (uint64_t page = PageDown(addr); page < addr + len; page += kPageSize) {
    auto it = FindVma(page);
    if (it == vmas_.end() || !it->second.cow) continue;
    if (int64_t err = BreakCow(page); err < 0) return err;
  }
  return 0;
}

int64_t MemoryManager::BreakCow(uint64_t addr) {
  const Vma& vma = FindVma(addr)->second;
  bool shared = vma.range->SharesOf(vma.range_offset + (addr - vma.start)) > 1;
  return shared ? CopyPage(addr) : TakeOver(addr);
}

int64_t MemoryManager::CopyPage(uint64_t addr) {
  Vma& vma = FindVma(addr)->second;
  if (!vma.cow_copy) {
    vma.cow_copy = MemoryRange::Allocate(file_, vma.range->len());
    if (!vma.cow_copy) return -ENOMEM;
  }
  const uint64_t off = vma.range_offset + (addr - vma.start);
  memcpy(file_.Data(vma.cow_copy->offset() + off), file_.Data(vma.range->offset() + off), kPageSize);
  vma.range->Release(off, kPageSize);  // still mapped by the others: nothing freed
  SplitAt(addr);
  SplitAt(addr + kPageSize);
  Vma& page = vmas_.at(addr);
  page.range = std::move(page.cow_copy);  // same offset in the copies range
  page.cow = false;
  const int prot = page.prot;
  const uint64_t file_offset = page.FileOffset(addr);
  MergeAround(addr);
  if (!ctx_) return 0;
  return Mirror(ctx_->Map(addr, kPageSize, prot, file_offset));
}

int64_t MemoryManager::TakeOver(uint64_t addr) {
  const Vma& vma = FindVma(addr)->second;
  auto ours = [&](uint64_t page) { return vma.range->SharesOf(vma.range_offset + (page - vma.start)) <= 1; };
  // Every page around `addr` the other side gave up (it exited or exec'd, say)
  // at once: one fault and one protection change instead of one per page.
  uint64_t lo = addr;
  while (lo > vma.start && ours(lo - kPageSize)) lo -= kPageSize;
  uint64_t hi = addr + kPageSize;
  while (hi < vma.end && ours(hi)) hi += kPageSize;
  SplitAt(lo);
  SplitAt(hi);
  Vma& run = vmas_.at(lo);
  run.cow = false;
  const int prot = run.prot;
  MergeAround(lo);
  if (!ctx_) return 0;
  return Mirror(ctx_->Protect(lo, hi - lo, prot));
}

}  // namespace cocoon::kernel
