// fork, wait4/waitpid/waitid, exit codes, deaths by signal, vfork, getppid.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char* what, int status) {
  if (WIFEXITED(status)) printf("%s: exited %d\n", what, WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) printf("%s: killed by %d\n", what, WTERMSIG(status));
  else printf("%s: status %#x\n", what, status);
}

int main(void) {
  fflush(stdout);
  pid_t me = getpid();
  pid_t child = fork();
  if (child == 0) {
    printf("child sees parent: %s\n", getppid() == me ? "yes" : "no");
    exit(42);
  }
  int status;
  printf("waitpid returns child: %s\n", waitpid(child, &status, 0) == child ? "yes" : "no");
  report("exit(42)", status);

  child = fork();
  if (child == 0) {
    *(volatile int*)0 = 1;  // SIGSEGV
    _exit(0);
  }
  waitpid(child, &status, 0);
  report("null write", status);

  child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  kill(child, SIGTERM);
  waitpid(child, &status, 0);
  report("SIGTERM", status);

  child = fork();
  if (child == 0) {
    for (;;) {
    }  // spinning in guest code: the kill must interrupt it
  }
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  report("SIGKILL of a busy loop", status);

  child = fork();
  if (child == 0) {
    abort();
  }
  waitpid(child, &status, 0);
  report("abort", status);

  child = vfork();
  if (child == 0) _exit(5);
  waitpid(child, &status, 0);
  report("vfork", status);

  child = fork();
  if (child == 0) _exit(9);
  siginfo_t info;
  waitid(P_PID, child, &info, WEXITED);
  printf("waitid: code %d status %d pid matches %s\n", info.si_code, info.si_status,
         info.si_pid == child ? "yes" : "no");

  printf("no children: %s\n", waitpid(-1, &status, 0) == -1 && errno == ECHILD ? "ECHILD" : "?");
  printf("WNOHANG with none: %s\n", waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD ? "ECHILD" : "?");

  // Many children, reaped in any order.
  for (int i = 0; i < 5; ++i) {
    if (fork() == 0) _exit(i);
  }
  int sum = 0;
  for (int i = 0; i < 5; ++i) {
    wait(&status);
    sum += WEXITSTATUS(status);
  }
  printf("sum of exit codes: %d\n", sum);
  fflush(stdout);
  return 3;
}
