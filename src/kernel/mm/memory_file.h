// The memory file: one memfd backs all guest memory of a sandbox. The kernel maps
// it once and reaches guest memory through that mapping; stubs map ranges of it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace cocoon::kernel {

class MemoryFile {
 public:
  // A sparse file of `size` bytes: pages cost memory only once touched.
  static Result<std::unique_ptr<MemoryFile>> Create(uint64_t size = kDefaultSize);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  int fd() const { return fd_.get(); }
  uint64_t size() const { return size_; }

  // Reserves `len` bytes (a page multiple) of file space; nullopt when full.
  std::optional<uint64_t> Allocate(uint64_t len);
  // Gives a range back (its pages are released).
  void Free(uint64_t offset, uint64_t len);
  // Releases the pages of a range: it reads as zeros again.
  void Decommit(uint64_t offset, uint64_t len);
  // Copies a range, skipping holes so untouched pages stay unallocated.
  void Copy(uint64_t from, uint64_t to, uint64_t len);
  // Bytes of the file backed by memory now (what guests really use).
  uint64_t CommittedBytes() const;

  // The kernel's view of the file; callers check bounds (see MemoryManager).
  uint8_t* Data(uint64_t offset) const { return base_ + offset; }

  static constexpr uint64_t kDefaultSize = uint64_t{256} << 30;

 private:
  MemoryFile(UniqueFd fd, uint8_t* base, uint64_t size) : fd_(std::move(fd)), base_(base), size_(size) {}

  UniqueFd fd_;
  uint8_t* base_;
  uint64_t size_;
  uint64_t top_ = 0;                    // never-used space starts here
  std::map<uint64_t, uint64_t> free_;   // offset -> length, coalesced
};

// A reference-counted range of the memory file, freed with its last user: VMAs
// share one after a split, processes share one for MAP_SHARED memory, and
// forked processes share one copy-on-write for private memory.
//
// Copy-on-write keeps, per page, how many address spaces map that page
// privately. A range that was never forked has no counts: its one owner holds
// every page. The kernel lock guards the counts, like all mm state.
class MemoryRange {
 public:
  MemoryRange(MemoryFile& file, uint64_t offset, uint64_t len) : file_(file), offset_(offset), len_(len) {}
  ~MemoryRange() { file_.Free(offset_, len_); }
  MemoryRange(const MemoryRange&) = delete;
  MemoryRange& operator=(const MemoryRange&) = delete;

  static std::shared_ptr<MemoryRange> Allocate(MemoryFile& file, uint64_t len);

  MemoryFile& file() const { return file_; }
  uint64_t offset() const { return offset_; }
  uint64_t len() const { return len_; }

  // Whether any page was ever shared by fork: its pages beyond a VMA's end may
  // belong to another process's VMA, so VMAs must not grow in place over it.
  bool cow_shared() const { return !shares_.empty(); }
  // One more address space maps [off, off+len) of the range (fork).
  void Share(uint64_t off, uint64_t len);
  // How many address spaces map the page at `off`.
  uint32_t SharesOf(uint64_t off) const { return shares_.empty() ? 1 : shares_[off / kPage]; }
  // One address space stops mapping [off, off+len): pages nobody maps any more
  // are released (their file space stays reserved until the range dies).
  void Release(uint64_t off, uint64_t len);

 private:
  static constexpr uint64_t kPage = 4096;

  MemoryFile& file_;
  uint64_t offset_;
  uint64_t len_;
  std::vector<uint32_t> shares_;  // per page; empty until the first fork
};

}  // namespace cocoon::kernel
