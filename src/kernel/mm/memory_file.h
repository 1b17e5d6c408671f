// The memory file: one memfd backs all guest memory of a sandbox. The kernel maps
// it once and reaches guest memory through that mapping; stubs map ranges of it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>

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
// share one after a split, processes share one for MAP_SHARED memory.
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

 private:
  MemoryFile& file_;
  uint64_t offset_;
  uint64_t len_;
};

}  // namespace cocoon::kernel
