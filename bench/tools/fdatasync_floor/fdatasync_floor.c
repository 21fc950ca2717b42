// fdatasync_floor: this disk's limit for a durable append — sequential 1 KB appends to
// a fresh file in DIR, each followed by fdatasync, for SECONDS. Prints one line:
//   appends=N per_s=X avg_us=Y p99_us=Z
// usage: fdatasync_floor DIR SECONDS
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: fdatasync_floor DIR SECONDS\n");
    return 2;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/fdatasync_floor.tmp", argv[1]);
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    perror(path);
    return 1;
  }
  char block[1024];
  memset(block, 'x', sizeof block);
  const double seconds = atof(argv[2]), start = now_us();
  size_t n = 0, cap = 1 << 16;
  double* lat = malloc(cap * sizeof *lat);
  while (now_us() - start < seconds * 1e6) {
    const double t = now_us();
    if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fdatasync(fd) != 0) {
      perror("write/fdatasync");
      return 1;
    }
    if (n == cap) lat = realloc(lat, (cap *= 2) * sizeof *lat);
    lat[n++] = now_us() - t;
  }
  const double elapsed = now_us() - start;
  close(fd);
  unlink(path);
  qsort(lat, n, sizeof *lat, by_value);
  printf("appends=%zu per_s=%.0f avg_us=%.1f p99_us=%.0f\n", n, n * 1e6 / elapsed, elapsed / n,
         lat[n * 99 / 100]);
  return 0;
}
