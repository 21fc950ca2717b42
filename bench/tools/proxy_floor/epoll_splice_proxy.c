// epoll_splice_proxy: the smallest proxy that moves bytes the way coring's default
// splice engine does (wait for readiness, then splice(2) socket -> pipe -> socket with
// SPLICE_F_NONBLOCK), in plain C with epoll. It exists to measure what any such proxy
// costs on this machine; it is not part of coring. One thread, blocking upstream
// connect, a blocked write waits in poll(): a measuring tool, not a server.
//
//   cc -O2 -o epoll_splice_proxy epoll_splice_proxy.c
//   ./epoll_splice_proxy LISTEN_PORT UPSTREAM_PORT      (127.0.0.1 both)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct side {
  int fd, peer, pipe[2];
  struct side *other;  // the opposite direction
};

// A TCP port from the command line, or -1 (then main prints the usage).
static int parse_port(const char *text) {
  char *end = NULL;
  long port = strtol(text, &end, 10);
  return *text != '\0' && *end == '\0' && port >= 1 && port <= 65535 ? (int)port : -1;
}

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Moves what `s->fd` has to `s->peer` through the side's pipe; 0 on EOF or error.
static int pump(struct side *s) {
  for (;;) {
    ssize_t n = splice(s->fd, NULL, s->pipe[1], NULL, 65536, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (n == 0) return 0;
    if (n < 0) return 1;  // EAGAIN: drained (other errors show up as EOF next time)
    while (n > 0) {
      ssize_t m = splice(s->pipe[0], NULL, s->peer, NULL, (size_t)n, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (m > 0) {
        n -= m;
      } else {
        struct pollfd p = {.fd = s->peer, .events = POLLOUT};
        poll(&p, 1, -1);
      }
    }
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-splice: EPIPE, not death
  int listen_port = argc == 3 ? parse_port(argv[1]) : -1, upstream_port = argc == 3 ? parse_port(argv[2]) : -1;
  if (listen_port < 0 || upstream_port < 0) {
    return fprintf(stderr, "usage: %s LISTEN_PORT UPSTREAM_PORT (1..65535)\n", argv[0]), 2;
  }
  int one = 1, ep = epoll_create1(0), listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in at = loopback(listen_port), upstream = loopback(upstream_port);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&at, sizeof at) || listen(listener, 128)) return perror("listen"), 1;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  printf("listening on 127.0.0.1:%d\n", listen_port);
  fflush(stdout);
  for (;;) {
    struct epoll_event ready[64];
    int count = epoll_wait(ep, ready, 64, -1);
    for (int i = 0; i < count; ++i) {
      struct side *s = ready[i].data.ptr;
      if (s == NULL) {  // a new client: connect upstream, one side per direction
        int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK), up = socket(AF_INET, SOCK_STREAM, 0);
        if (client < 0 || connect(up, (struct sockaddr *)&upstream, sizeof upstream)) {
          close(client), close(up);
          continue;
        }
        fcntl(up, F_SETFL, O_NONBLOCK);
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct side *a = calloc(2, sizeof *a), *b = a + 1;
        *a = (struct side){.fd = client, .peer = up, .other = b};
        *b = (struct side){.fd = up, .peer = client, .other = a};
        if (pipe2(a->pipe, O_NONBLOCK) || pipe2(b->pipe, O_NONBLOCK)) return perror("pipe2"), 1;
        ev.data.ptr = a;
        epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev);
        ev.data.ptr = b;
        epoll_ctl(ep, EPOLL_CTL_ADD, up, &ev);
      } else if (s->fd >= 0 && !pump(s)) {
        // EOF or error either way: close the pair. The two sides stay allocated (a
        // ready list may still name the other one): a benchmark tool can leak that.
        close(s->fd), close(s->peer);
        close(s->pipe[0]), close(s->pipe[1]), close(s->other->pipe[0]), close(s->other->pipe[1]);
        s->fd = s->other->fd = -1;
      }
    }
  }
}
