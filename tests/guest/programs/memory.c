// brk, mmap, munmap, mprotect, mremap and madvise as a program sees them, and
// private memory after fork (copy-on-write on the sandbox).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(const char* what, int ok) { printf("%s: %s\n", what, ok ? "ok" : "FAILED"); }

static int global = 1;

// A forked child writes private memory (by store and by a syscall's copy-out)
// and shared memory; only the shared write reaches the parent.
static void fork_keeps_private_memory_private(char* heap, int* shared, char* readonly) {
  int on_stack = 2;
  int pipefd[2];
  if (pipe(pipefd) != 0) return;
  pid_t child = fork();
  if (child == 0) {
    global = 10;
    on_stack = 20;
    heap[0] = 'c';
    if (write(pipefd[1], "k", 1) != 1 || read(pipefd[0], heap + 1, 1) != 1) _exit(1);
    madvise(heap + 8192, 4096, MADV_DONTNEED);
    *shared = 42;
    _exit(global == 10 && on_stack == 20 && heap[0] == 'c' && heap[1] == 'k' && heap[8192] == 0 ? 0 : 2);
  }
  int status = 0;
  waitpid(child, &status, 0);
  check("child sees its own writes after fork", WIFEXITED(status) && WEXITSTATUS(status) == 0);
  check("parent's private memory unchanged", global == 1 && on_stack == 2 && heap[0] == 'b' && heap[1] == 'b' &&
                                                 heap[8192] == 'b');
  check("shared memory written by the child", *shared == 42);
  heap[0] = 'p';
  check("parent writes after the child left", heap[0] == 'p');
  child = fork();
  if (child == 0) {
    readonly[0] = 'x';  // read-only before the fork: a real fault
    _exit(0);
  }
  waitpid(child, &status, 0);
  check("write to read-only memory after fork faults", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
  close(pipefd[0]);
  close(pipefd[1]);
}

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
  fork_keeps_private_memory_private(start, shared, q);
  return 0;
}
