// brk, mmap, munmap, mprotect, mremap and madvise as a program sees them.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void check(const char* what, int ok) { printf("%s: %s\n", what, ok ? "ok" : "FAILED"); }

int main(void) {
  char* start = sbrk(0);
  check("sbrk grows", sbrk(1 << 20) == start && sbrk(0) == start + (1 << 20));
  memset(start, 'b', 1 << 20);
  check("brk memory holds data", start[(1 << 20) - 1] == 'b');

  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  char* p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  check("mmap anonymous", p != MAP_FAILED);
  check("fresh memory is zero", p[0] == 0 && p[4 * page - 1] == 0);
  strcpy(p + page, "kept");
  check("munmap a middle page", munmap(p + 2 * page, page) == 0);
  check("page after the hole still mapped", p[3 * page] == 0);
  char* q = mremap(p, 2 * page, 8 * page, MREMAP_MAYMOVE);
  check("mremap grows", q != MAP_FAILED && strcmp(q + page, "kept") == 0);
  check("mprotect read-only", mprotect(q, page, PROT_READ) == 0);
  check("mprotect of unmapped memory fails", mprotect((void*)0x10000, page, PROT_READ) == -1 && errno == ENOMEM);
  q[7 * page] = 'x';
  check("madvise DONTNEED zeroes", madvise(q + 7 * page, page, MADV_DONTNEED) == 0 && q[7 * page] == 0);
  check("munmap unaligned fails", munmap(q + 1, page) == -1 && errno == EINVAL);
  check("mmap length 0 fails", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
                                    errno == EINVAL);
  int* shared = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  check("mmap shared", shared != MAP_FAILED);
  void* fixed = mmap((void*)0x200000000, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  check("mmap fixed", fixed == (void*)0x200000000);
  void* again = mmap((void*)0x200000000, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  check("mmap fixed_noreplace refuses", again == MAP_FAILED && errno == EEXIST);
  return 0;
}
