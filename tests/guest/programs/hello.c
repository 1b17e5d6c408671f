// Writes to stdout and stderr and exits with a code.
#include <stdio.h>
#include <unistd.h>

int main(int argc, char** argv) {
  printf("hello from %s with %d args\n", argv[0][0] ? "guest" : "?", argc);
  fflush(stdout);
  write(2, "to stderr\n", 10);
  return 7;
}
