/* epoll_floor --port N: the same floor as uring_floor over epoll. One thread, level-
 * triggered epoll_wait, accept4 until EAGAIN, one read per readable connection and one
 * write of the constant response per batch of requests. The classic readiness loop:
 * what a server built on epoll cannot go below. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "floor.h"
#include "listen.h"

enum { EVENTS = 512, READ_SIZE = 65536, MAX_FDS = 1 << 16 };

static unsigned char matched[MAX_FDS]; /* per-connection progress through "\r\n\r\n" */
static char input[READ_SIZE];

static void accept_all(int epoll, int listener) {
  for (;;) {
    const int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    if (fd < 0) return; /* EAGAIN: accepted everything pending (or a transient error) */
    struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
    if (fd >= MAX_FDS || epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) close(fd);
  }
}

static void serve(int fd) {
  const ssize_t n = read(fd, input, sizeof input);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    matched[fd] = 0;
    close(fd); /* also leaves the epoll set */
    return;
  }
  if (n < 0) return;
  unsigned requests = floor_count_requests(input, (size_t)n, &matched[fd]);
  while (requests > 0) {
    const unsigned batch = requests < FLOOR_BATCH ? requests : FLOOR_BATCH;
    const size_t size = (size_t)batch * FLOOR_RESPONSE_SIZE;
    if (write(fd, floor_responses, size) != (ssize_t)size) {
      shutdown(fd, SHUT_RDWR); /* a short write would lose responses: end the connection */
      return;
    }
    requests -= batch;
  }
}

int main(int argc, char** argv) {
  const int port = floor_parse_port(argc, argv, "epoll_floor");
  signal(SIGPIPE, SIG_IGN); /* a client gone mid-write: EPIPE, not death */
  floor_build_responses();
  const int listener = floor_listen(port, SOCK_NONBLOCK);
  const int epoll = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event) != 0) {
    perror("epoll_floor: epoll");
    return 1;
  }
  struct epoll_event events[EVENTS];
  for (;;) {
    const int ready = epoll_wait(epoll, events, EVENTS, -1);
    for (int i = 0; i < ready; i++) {
      if (events[i].data.fd == listener) accept_all(epoll, listener);
      else serve(events[i].data.fd);
    }
  }
}
