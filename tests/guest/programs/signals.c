// Handlers, masks, sigreturn, SA_RESTART-less EINTR, SIGSEGV recovery, altstacks.
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int last_code;
static sigjmp_buf jump;

static void on_usr1(int sig) { got = sig; }
static void on_segv(int sig, siginfo_t* info, void* ctx) {
  (void)ctx;
  last_code = info->si_code;
  got = sig;
  siglongjmp(jump, 1);
}
static void on_alt(int sig) {
  char here;
  stack_t ss;
  sigaltstack(NULL, &ss);
  got = (ss.ss_flags & SS_ONSTACK) && &here > (char*)ss.ss_sp ? sig : -1;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  double before = 1.5;
  raise(SIGUSR1);
  printf("handler ran: %d, fp intact: %s\n", got, before * 2 == 3.0 ? "yes" : "no");

  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old);
  got = 0;
  raise(SIGUSR1);
  sigset_t pending;
  sigpending(&pending);
  printf("blocked: handler %d, pending %d\n", got, sigismember(&pending, SIGUSR1));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: handler %d\n", got);

  struct sigaction segv;
  memset(&segv, 0, sizeof(segv));
  segv.sa_sigaction = on_segv;
  segv.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &segv, NULL);
  if (sigsetjmp(jump, 1) == 0) {
    *(volatile int*)16 = 1;
  }
  printf("recovered from SIGSEGV: %d code %d\n", got, last_code);

  static char alt[65536];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt), .ss_flags = 0};
  sigaltstack(&ss, NULL);
  struct sigaction on_stack;
  memset(&on_stack, 0, sizeof(on_stack));
  on_stack.sa_handler = on_alt;
  on_stack.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR2, &on_stack, NULL);
  got = 0;
  raise(SIGUSR2);
  printf("altstack handler: %d\n", got);

  signal(SIGINT, SIG_IGN);
  raise(SIGINT);
  printf("ignored SIGINT survived\n");

  // A child blocked in pause() is interrupted by a handled signal: EINTR.
  int fds[2];
  (void)fds;
  pid_t child = fork();
  if (child == 0) {
    int r = pause();
    _exit(r == -1 && errno == EINTR && got == SIGUSR1 ? 0 : 1);
  }
  usleep(20000);
  kill(child, SIGUSR1);
  int status;
  waitpid(child, &status, 0);
  printf("pause interrupted: exit %d\n", WEXITSTATUS(status));

  // SIGCHLD is delivered to a handler when a child exits.
  got = 0;
  signal(SIGCHLD, on_usr1);
  child = fork();
  if (child == 0) _exit(0);
  waitpid(child, &status, 0);
  printf("SIGCHLD handler: %d\n", got);

  // Default actions, in a child: the sandbox's init (pid 1) would ignore them.
  fflush(stdout);
  child = fork();
  if (child == 0) {
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    _exit(0);
  }
  waitpid(child, &status, 0);
  printf("raise(SIGTERM): signaled %d sig %d\n", WIFSIGNALED(status), WTERMSIG(status));
  child = fork();
  if (child == 0) {
    raise(SIGSTOP);
    _exit(4);
  }
  waitpid(child, &status, WUNTRACED);
  printf("stopped: %d by %d\n", WIFSTOPPED(status), WSTOPSIG(status));
  kill(child, SIGCONT);
  waitpid(child, &status, 0);
  printf("continued then exited %d\n", WEXITSTATUS(status));
  return 0;
}
