// pingpong: two processes bounce one byte over two pipes. Pinned to one CPU
// (`taskset -c 0 ./pingpong`) a round trip is two context switches and four small
// syscalls: the price of handing a request from one process to another on one CPU.
//
//   cc -O2 -o pingpong pingpong.c
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void) {
  int there[2], back[2];
  if (pipe(there) || pipe(back)) return perror("pipe"), 1;
  const int rounds = 200000;
  char byte = 0;
  if (fork() == 0) {
    for (int i = 0; i < rounds; ++i) {
      if (read(there[0], &byte, 1) != 1 || write(back[1], &byte, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (int i = 0; i < rounds; ++i) {
    if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  wait(NULL);
  const double ns = (double)(end.tv_sec - start.tv_sec) * 1e9 + (double)(end.tv_nsec - start.tv_nsec);
  printf("pipe round trip between two processes: %.2f us\n", ns / rounds / 1000.0);
  return 0;
}
