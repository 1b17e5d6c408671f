// Magic links (/proc/self/fd/N, /dev/stdout), statfs and the xattr calls as
// programs use them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static void check(const char* what, int ok) { printf("%s: %s\n", what, ok ? "ok" : "FAILED"); }

static void fd_path(char* out, size_t size, int fd) { snprintf(out, size, "/proc/self/fd/%d", fd); }

static void pipes_through_magic_links(void) {
  int p[2];
  if (pipe(p) != 0 || write(p[1], "piped", 5) != 5) return;
  char path[64];
  fd_path(path, sizeof path, p[0]);
  char buf[16] = {0};
  int again = open(path, O_RDONLY);
  check("reopen a pipe through /proc/self/fd", again >= 0 && read(again, buf, 5) == 5 && strcmp(buf, "piped") == 0);
  struct stat direct, linked;
  check("stat through the link is the pipe",
        fstat(p[0], &direct) == 0 && stat(path, &linked) == 0 && S_ISFIFO(linked.st_mode) &&
            direct.st_ino == linked.st_ino);
  char target[64] = {0};
  check("readlink names the pipe", readlink(path, target, sizeof target - 1) > 0 && strncmp(target, "pipe:[", 6) == 0);
  struct statfs fs;
  check("fstatfs of a pipe is pipefs", fstatfs(p[0], &fs) == 0 && fs.f_type == 0x50495045);
  close(again);
  close(p[0]);
  close(p[1]);
}

static void files_through_magic_links(const char* file) {
  int fd = open(file, O_CREAT | O_RDWR | O_TRUNC, 0600);
  if (fd < 0 || write(fd, "abc", 3) != 3) return;
  char path[64];
  fd_path(path, sizeof path, fd);
  char buf[8] = {0};
  int again = open(path, O_RDONLY);
  check("reopen a file through /proc/self/fd (own offset)", again >= 0 && read(again, buf, 3) == 3 &&
                                                                  strcmp(buf, "abc") == 0);
  char target[256] = {0};
  check("readlink names the file", readlink(path, target, sizeof target - 1) > 0 && strcmp(target, file) == 0);
  close(again);
  close(fd);
}

static void extended_attributes(const char* file) {
  char value[8];
  ssize_t n = getxattr(file, "user.cocoon-missing", value, sizeof value);
  check("getxattr of a missing attribute", n == -1 && (errno == ENODATA || errno == ENOTSUP));
  check("listxattr", listxattr(file, NULL, 0) >= 0);
  char long_name[300];
  memset(long_name, 'n', sizeof long_name - 1);
  memcpy(long_name, "user.", 5);
  long_name[sizeof long_name - 1] = 0;
  check("getxattr of an over-long name", getxattr(file, long_name, value, sizeof value) == -1 && errno == ERANGE);
  check("getxattr of a missing file", getxattr("/nonexistent-cocoon", "user.x", value, sizeof value) == -1 &&
                                          errno == ENOENT);
  check("fgetxattr of a bad fd", fgetxattr(-1, "user.x", value, sizeof value) == -1 && errno == EBADF);
}

// A child whose stdout is a pipe writes to /dev/stdout; the parent reads it.
// (With stdout a file, a reopen's offset would depend on the host fd's flags.)
static void dev_stdout_is_stdout(void) {
  int p[2];
  if (pipe(p) != 0) return;
  pid_t child = fork();
  if (child == 0) {
    dup2(p[1], 1);
    int out = open("/dev/stdout", O_WRONLY);
    _exit(out >= 0 && write(out, "via /dev/stdout", 15) == 15 ? 0 : 1);
  }
  close(p[1]);
  char buf[32] = {0};
  int status = 0;
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  waitpid(child, &status, 0);
  check("write to /dev/stdout", n == 15 && strcmp(buf, "via /dev/stdout") == 0 && WIFEXITED(status) &&
                                     WEXITSTATUS(status) == 0);
  close(p[0]);
}

int main(void) {
  pipes_through_magic_links();
  char file[64];
  snprintf(file, sizeof file, "/tmp/cocoon-files-%d", getpid());
  files_through_magic_links(file);
  extended_attributes(file);
  unlink(file);
  dev_stdout_is_stdout();
  struct statfs fs;
  check("statfs /", statfs("/", &fs) == 0 && fs.f_bsize > 0 && fs.f_namelen == 255);
  check("statfs of a missing path", statfs("/nonexistent-cocoon", &fs) == -1 && errno == ENOENT);
  return 0;
}
