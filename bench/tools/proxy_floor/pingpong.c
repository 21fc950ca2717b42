// pingpong: two processes bounce one byte over two pipes. Pinned to one CPU
// (`taskset -c 0 ./pingpong`) a round trip is two context switches and four small
// syscalls: the price of handing a request from one process to another on one CPU.
// The same between two threads of one process (no address-space switch), and the
// price of one system call that does nothing (getppid), which on a VM can be far
// above the ~0.1 µs of bare metal and then dominates any syscall-per-operation design.
//
//   cc -O2 -pthread -o pingpong pingpong.c
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { rounds = 200000 };
static int there[2], back[2];

static void *answer(void *unused) {
  char byte = 0;
  for (int i = 0; i < rounds; ++i) {
    if (read(there[0], &byte, 1) != 1 || write(back[1], &byte, 1) != 1) exit(1);
  }
  return unused;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double round_trip_us(void) {
  char byte = 0;
  const double start = now_ns();
  for (int i = 0; i < rounds; ++i) {
    if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1) exit(1);
  }
  return (now_ns() - start) / rounds / 1000.0;
}

int main(void) {
  if (pipe(there) || pipe(back)) return perror("pipe"), 1;
  if (fork() == 0) {
    answer(NULL);
    _exit(0);
  }
  printf("pipe round trip between two processes: %.2f us\n", round_trip_us());
  wait(NULL);

  pthread_t peer;
  if (pthread_create(&peer, NULL, answer, NULL) != 0) return perror("pthread_create"), 1;
  printf("pipe round trip between two threads: %.2f us\n", round_trip_us());
  pthread_join(peer, NULL);

  const double start = now_ns();
  for (int i = 0; i < rounds; ++i) syscall(SYS_getppid);
  printf("null system call (getppid): %.0f ns\n", (now_ns() - start) / rounds);
  return 0;
}
