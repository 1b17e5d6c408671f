// Wild pointers, bad fds, huge sizes and unknown syscalls get Linux's errnos.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void expect(const char* what, long ret, int err) {
  printf("%s: ret %ld errno %s\n", what, ret, ret == -1 ? strerrorname_np(err) : "-");
}

int main(void) {
  long r;
  r = syscall(SYS_write, 1, (void*)1, 10);
  expect("write from address 1", r, errno);
  r = syscall(SYS_write, 1, (void*)0xffffffffffff0000, 10);
  expect("write from a kernel address", r, errno);
  r = syscall(SYS_write, 99, "x", 1);
  expect("write to fd 99", r, errno);
  r = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void*)8);
  expect("clock_gettime to address 8", r, errno);
  r = syscall(SYS_rt_sigaction, SIGUSR1, (void*)24, NULL, 8);
  expect("sigaction from address 24", r, errno);
  r = syscall(SYS_rt_sigaction, SIGKILL, NULL, NULL, 8);
  expect("sigaction query SIGKILL", r, errno);
  r = syscall(SYS_rt_sigaction, 65, NULL, NULL, 8);
  expect("sigaction signal 65", r, errno);
  r = syscall(SYS_kill, 99999, 0);
  expect("kill pid 99999", r, errno);
  r = syscall(SYS_mmap, 0, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  expect("mmap 2^62 bytes", r, errno);
  r = syscall(SYS_munmap, 0x1000, 0);
  expect("munmap length 0", r, errno);
  r = syscall(SYS_execve, (void*)32, NULL, NULL);
  expect("execve from address 32", r, errno);
  r = syscall(999, 1, 2, 3);
  expect("syscall 999", r, errno);
  r = syscall(SYS_wait4, -1, NULL, 0, NULL);
  expect("wait4 without children", r, errno);
  r = syscall(SYS_nanosleep, (void*)64, NULL);
  expect("nanosleep from address 64", r, errno);
  struct timespec bad = {.tv_sec = 0, .tv_nsec = 2000000000};
  r = syscall(SYS_nanosleep, &bad, NULL);
  expect("nanosleep with 2e9 ns", r, errno);
  r = syscall(SYS_uname, (void*)1);
  expect("uname to address 1", r, errno);
  return 0;
}
