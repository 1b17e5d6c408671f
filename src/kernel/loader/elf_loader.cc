// ELF64 segments into VMAs: map, copy file bytes through the memory file, zero bss, protect.
#include "kernel/loader/elf_loader.h"

#include <elf.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cocoon::kernel {
namespace {

int SegmentProt(uint32_t flags) {
  return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) | ((flags & PF_X) ? PROT_EXEC : 0);
}

bool ValidHeader(std::string_view image, const Elf64_Ehdr& eh) {
  return memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
         eh.e_ident[EI_DATA] == ELFDATA2LSB && eh.e_machine == EM_X86_64 &&
         (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) && eh.e_phentsize == sizeof(Elf64_Phdr) &&
         eh.e_phnum > 0 && eh.e_phnum <= 512 && eh.e_phoff <= image.size() &&
         image.size() - eh.e_phoff >= eh.e_phnum * sizeof(Elf64_Phdr);
}

}  // namespace

int64_t LoadElf(MemoryManager& mm, std::string_view image, LoadedImage* out, uint64_t dyn_base,
                bool interpreter) {
  if (image.size() < sizeof(Elf64_Ehdr)) return -ENOEXEC;
  Elf64_Ehdr eh;
  memcpy(&eh, image.data(), sizeof(eh));
  if (!ValidHeader(image, eh)) return -ENOEXEC;
  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
  memcpy(phdrs.data(), image.data() + eh.e_phoff, eh.e_phnum * sizeof(Elf64_Phdr));

  uint64_t lo = UINT64_MAX, hi = 0, phdr_vaddr = 0;
  std::string interp;
  for (const auto& ph : phdrs) {
    if (ph.p_type == PT_INTERP) {
      if (interpreter || ph.p_filesz < 2 || ph.p_filesz > 4096 || ph.p_offset > image.size() ||
          image.size() - ph.p_offset < ph.p_filesz) {
        return -ENOEXEC;
      }
      interp.assign(image.data() + ph.p_offset, ph.p_filesz - 1);  // without the NUL
    }
    if (ph.p_type == PT_PHDR) phdr_vaddr = ph.p_vaddr;
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_filesz > ph.p_memsz || ph.p_offset > image.size() || image.size() - ph.p_offset < ph.p_filesz ||
        ph.p_vaddr + ph.p_memsz < ph.p_vaddr || (ph.p_vaddr % kPageSize) != (ph.p_offset % kPageSize)) {
      return -ENOEXEC;
    }
    lo = std::min(lo, PageDown(ph.p_vaddr));
    hi = std::max(hi, PageUp(ph.p_vaddr + ph.p_memsz));
    if (ph.p_offset == 0 && phdr_vaddr == 0) phdr_vaddr = ph.p_vaddr + eh.e_phoff;
  }
  if (hi == 0) return -ENOEXEC;
  const uint64_t bias = eh.e_type == ET_DYN ? dyn_base - lo : 0;
  if (lo + bias < kMinGuestAddress || hi + bias > kMmapTop) return -ENOMEM;

  // Map every segment writable first, so the copies can go in, then protect.
  for (const auto& ph : phdrs) {
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    uint64_t start = PageDown(ph.p_vaddr + bias);
    uint64_t end = PageUp(ph.p_vaddr + bias + ph.p_memsz);
    bool fresh = true;
    for (const auto& [s, vma] : mm.vmas()) fresh = fresh && (vma.end <= start || s >= end);
    if (fresh) {
      int64_t got = mm.Mmap(start, end - start, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
      if (got < 0) return got;
    } else {
      // Shares a page with the previous segment: map only what is new.
      for (uint64_t page = start; page < end; page += kPageSize) {
        char probe;
        if (mm.CopyIn(page, &probe, 1, true) == 0) continue;
        int64_t got = mm.Mmap(page, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
        if (got < 0) return got;
      }
    }
  }
  for (const auto& ph : phdrs) {
    if (ph.p_type != PT_LOAD || ph.p_filesz == 0) continue;
    if (int64_t err = mm.CopyOut(ph.p_vaddr + bias, image.data() + ph.p_offset, ph.p_filesz, true); err < 0) {
      return err;
    }
  }
  for (const auto& ph : phdrs) {
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    uint64_t start = PageDown(ph.p_vaddr + bias);
    mm.Mprotect(start, PageUp(ph.p_vaddr + bias + ph.p_memsz) - start, SegmentProt(ph.p_flags));
  }
  if (!interpreter) mm.SetBrkStart(hi + bias);
  *out = LoadedImage{.entry = eh.e_entry + bias,
                     .phdr = phdr_vaddr + bias,
                     .phent = eh.e_phentsize,
                     .phnum = eh.e_phnum,
                     .bias = bias,
                     .interp = std::move(interp)};
  return 0;
}

}  // namespace cocoon::kernel
