// The memory file's allocator: first fit over a coalesced free list.
#include "kernel/mm/memory_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace cocoon::kernel {

Result<std::unique_ptr<MemoryFile>> MemoryFile::Create(uint64_t size) {
  UniqueFd fd(memfd_create("cocoon-memory", MFD_CLOEXEC));
  if (!fd) return std::unexpected(ErrnoError("memfd_create for the memory file"));
  if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    return std::unexpected(ErrnoError("sizing the memory file"));
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd.get(), 0);
  if (base == MAP_FAILED) return std::unexpected(ErrnoError("mapping the memory file"));
  return std::unique_ptr<MemoryFile>(new MemoryFile(std::move(fd), static_cast<uint8_t*>(base), size));
}

MemoryFile::~MemoryFile() { munmap(base_, size_); }

std::optional<uint64_t> MemoryFile::Allocate(uint64_t len) {
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < len) continue;
    uint64_t offset = it->first;
    uint64_t rest = it->second - len;
    free_.erase(it);
    if (rest > 0) free_[offset + len] = rest;
    return offset;
  }
  if (size_ - top_ < len) return std::nullopt;
  uint64_t offset = top_;
  top_ += len;
  return offset;
}

void MemoryFile::Free(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  Decommit(offset, len);
  auto next = free_.lower_bound(offset);
  if (next != free_.end() && offset + len == next->first) {
    len += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      prev->second += len;
      return;
    }
  }
  free_[offset] = len;
}

void MemoryFile::Decommit(uint64_t offset, uint64_t len) {
  fallocate(fd_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
            static_cast<off_t>(len));
}

void MemoryFile::Copy(uint64_t from, uint64_t to, uint64_t len) {
  uint64_t pos = from;
  const uint64_t end = from + len;
  while (pos < end) {
    off_t data = lseek(fd_.get(), static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 || static_cast<uint64_t>(data) >= end) return;  // only holes left
    off_t hole = lseek(fd_.get(), data, SEEK_HOLE);
    uint64_t stop = hole < 0 ? end : std::min<uint64_t>(end, static_cast<uint64_t>(hole));
    memcpy(base_ + to + (data - from), base_ + data, stop - data);
    pos = stop;
  }
}

uint64_t MemoryFile::CommittedBytes() const {
  struct stat st {};
  if (fstat(fd_.get(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

std::shared_ptr<MemoryRange> MemoryRange::Allocate(MemoryFile& file, uint64_t len) {
  auto offset = file.Allocate(len);
  if (!offset) return nullptr;
  return std::make_shared<MemoryRange>(file, *offset, len);
}

void MemoryRange::Share(uint64_t off, uint64_t len) {
  // Before the first fork the single owner holds every page it could map.
  if (shares_.empty()) shares_.assign(len_ / kPage, 1);
  for (uint64_t page = off / kPage; page < (off + len) / kPage; ++page) ++shares_[page];
}

void MemoryRange::Release(uint64_t off, uint64_t len) {
  if (shares_.empty()) {
    file_.Decommit(offset_ + off, len);
    return;
  }
  // Give back runs of pages whose last user left, one hole punch per run.
  uint64_t run = 0;  // pages in the current run, ending before `page`
  const uint64_t last = (off + len) / kPage;
  for (uint64_t page = off / kPage; page <= last; ++page) {
    bool freed = page < last && shares_[page] > 0 && --shares_[page] == 0;
    if (freed) {
      ++run;
      continue;
    }
    if (run > 0) file_.Decommit(offset_ + (page - run) * kPage, run * kPage);
    run = 0;
  }
}

}  // namespace cocoon::kernel
