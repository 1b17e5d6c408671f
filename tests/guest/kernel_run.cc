// kernel_run [--strace] [--log=FILE] PROGRAM [ARGS...]: runs a static program on the
// application kernel (ptrace platform) with this process's stdio; exits with
// the guest's status. The guest tests compare it with a native run.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/log.h"
#include "kernel/kernel.h"

extern char** environ;

int main(int argc, char** argv) {
  cocoon::kernel::GuestOptions options;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (strcmp(argv[i], "--strace") == 0) {
      options.strace = true;
    } else if (strncmp(argv[i], "--log=", 6) == 0) {
      // Kernel logs (and --strace) go to a file, keeping the guest's stderr clean.
      int fd = open(argv[i] + 6, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) {
        perror("kernel_run: --log");
        return 125;
      }
      cocoon::log::SetOutput(fd);
      options.strace_fd = fd;
    } else if (strncmp(argv[i], "--root=", 7) == 0) {
      options.root = argv[i] + 7;
    } else {
      fprintf(stderr, "kernel_run: unknown flag %s\n", argv[i]);
      return 125;
    }
  }
  if (i == argc) {
    fprintf(stderr, "usage: kernel_run [--strace] [--log=FILE] [--root=DIR] PROGRAM [ARGS...]\n");
    return 125;
  }
  options.argv.assign(argv + i, argv + argc);
  for (char** env = environ; *env; ++env) options.envp.emplace_back(*env);
  auto status = cocoon::kernel::RunSandboxed(options);
  if (!status) {
    fprintf(stderr, "kernel_run: %s\n", status.error().message().c_str());
    return 125;
  }
  return *status;
}
