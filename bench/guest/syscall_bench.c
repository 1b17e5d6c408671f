/* The guest side of sandbox_bench: times N repetitions of one operation from
 * inside whatever runs it (natively, or in a sandbox) and prints the mean
 * nanoseconds per operation. Built static, like the guest tests.
 *   syscall_bench getpid N | open-read-close N FILE | fork-exec-wait N | noop */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int op_getpid(const char *arg) {
  (void)arg;
  /* The raw syscall: glibc does not cache getpid, but be explicit. */
  return syscall(SYS_getpid) > 0 ? 0 : -1;
}

static int op_open_read_close(const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n > 0 ? 0 : -1;
}

static const char *self_path;

static int op_fork_exec_wait(const char *arg) {
  (void)arg;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execl(self_path, self_path, "noop", (char *)NULL);
    _exit(127);
  }
  int status;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "noop") == 0) return 0;
  if (argc < 3) {
    fprintf(stderr, "usage: %s getpid|open-read-close|fork-exec-wait N [FILE]\n", argv[0]);
    return 2;
  }
  self_path = argv[0];
  long n = atol(argv[2]);
  const char *arg = argc > 3 ? argv[3] : "";
  int (*op)(const char *) = NULL;
  if (strcmp(argv[1], "getpid") == 0) op = op_getpid;
  if (strcmp(argv[1], "open-read-close") == 0) op = op_open_read_close;
  if (strcmp(argv[1], "fork-exec-wait") == 0) op = op_fork_exec_wait;
  if (!op || n <= 0) {
    fprintf(stderr, "%s: unknown operation %s or bad count\n", argv[0], argv[1]);
    return 2;
  }
  if (op(arg) != 0) { /* once untimed: warms caches, checks it works */
    fprintf(stderr, "%s: %s failed\n", argv[0], argv[1]);
    return 1;
  }
  long long start = now_ns();
  for (long i = 0; i < n; ++i) {
    if (op(arg) != 0) {
      fprintf(stderr, "%s: %s failed at %ld\n", argv[0], argv[1], i);
      return 1;
    }
  }
  printf("%lld\n", (now_ns() - start) / n);
  return 0;
}
