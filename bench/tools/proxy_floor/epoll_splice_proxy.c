// epoll_splice_proxy: the smallest proxy that moves bytes the way coring's default
// splice engine does (wait for readiness, then splice(2) socket -> pipe -> socket with
// SPLICE_F_NONBLOCK), in plain C with epoll. It exists to measure what any such proxy
// costs on this machine; it is not part of coring. One thread; the upstream connect
// blocks (loopback). Everything else never blocks: a write that would block leaves its
// bytes in the pipe and waits for EPOLLOUT, and the source is not read until they left.
// Each session ends cleanly: end of stream is passed on with shutdown(SHUT_WR) and the
// session closes (two sockets, two pipes) when both directions ended or either failed.
//
//   cc -O2 -o epoll_splice_proxy epoll_splice_proxy.c
//   ./epoll_splice_proxy LISTEN_PORT UPSTREAM_PORT      (127.0.0.1 both)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CHUNK = 65536 };  // one pipe's default capacity

// One direction of a session: bytes read from `fd` go through `pipe` to `peer`. Each
// socket is registered in epoll once, with the side that reads it; its EPOLLOUT
// serves the other side, whose peer it is.
struct side {
  int fd, peer, pipe[2];
  size_t pending;     // bytes in the pipe that `peer` has not taken yet
  int ended;          // `fd` reached end of stream, passed on to `peer`
  int hung_up;        // both of `fd`'s directions are shut: epoll reports it every time
  int parked;         // `fd` is out of epoll (hung up, waiting for nothing)
  uint32_t armed;     // the events `fd` is registered for
  struct side *other;
};

struct session {
  struct side sides[2];
  int closed;  // the ready list may still name it: freed after the batch
  struct session *next_closed;
};

static int ep;
static struct session *closed_sessions;

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

static struct session *session_of(struct side *s) {
  return (struct session *)(s < s->other ? s : s->other);
}

// Registers `s->fd` for what it is waiting for: input while its own pipe is empty and
// its stream goes on, output while the other direction has bytes for it. A hung-up
// socket waiting for nothing leaves epoll, whose EPOLLHUP would otherwise wake the loop
// until the peer takes the bytes that block it.
static void arm(struct side *s) {
  uint32_t events = (s->pending == 0 && !s->ended ? EPOLLIN : 0) | (s->other->pending ? EPOLLOUT : 0);
  int park = events == 0 && s->hung_up;
  if (park == s->parked && (park || events == s->armed)) return;
  struct epoll_event ev = {.events = events, .data.ptr = s};
  epoll_ctl(ep, park ? EPOLL_CTL_DEL : s->parked ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s->fd, &ev);
  s->parked = park;
  s->armed = events;
}

// Moves the pipe's bytes to `s->peer`; 0 on a write error, else 1 (bytes may remain).
static int flush(struct side *s) {
  while (s->pending > 0) {
    ssize_t m = splice(s->pipe[0], NULL, s->peer, NULL, s->pending, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (m < 0) return errno == EAGAIN;
    s->pending -= (size_t)m;
  }
  return 1;
}

// Moves what `s->fd` has to `s->peer` until the source is drained or the peer is full;
// 0 when the session must close (an error on either socket).
static int pump(struct side *s) {
  while (s->pending == 0 && !s->ended) {
    ssize_t n = splice(s->fd, NULL, s->pipe[1], NULL, CHUNK, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (n < 0) return errno == EAGAIN;
    if (n == 0) {  // end of stream: the peer gets it too
      s->ended = 1;
      return shutdown(s->peer, SHUT_WR) == 0;
    }
    s->pending = (size_t)n;
    if (!flush(s)) return 0;
  }
  return 1;
}

static void close_session(struct session *session) {
  struct side *a = &session->sides[0], *b = &session->sides[1];
  close(a->fd), close(b->fd);  // closing also removes them from epoll
  close(a->pipe[0]), close(a->pipe[1]), close(b->pipe[0]), close(b->pipe[1]);
  session->closed = 1;
  session->next_closed = closed_sessions;
  closed_sessions = session;
}

// One readiness report for the socket `s` reads (and the other side writes).
static void on_ready(struct side *s, uint32_t events) {
  int ok = !(events & EPOLLERR);  // a reset
  // EPOLLHUP (both directions shut) still leaves the bytes before the FIN to read.
  s->hung_up |= (events & EPOLLHUP) != 0;
  if (ok && (events & EPOLLOUT)) ok = flush(s->other) && pump(s->other);
  if (ok && (events & (EPOLLIN | EPOLLHUP))) ok = pump(s);
  if (ok && !(s->ended && s->other->ended)) {
    arm(s), arm(s->other);
  } else {
    close_session(session_of(s));
  }
}

// Connects a new client to the upstream: a session of two sides, or nothing.
static void open_session(int client, const struct sockaddr_in *upstream) {
  int one = 1, up = socket(AF_INET, SOCK_STREAM, 0);
  struct session *session = calloc(1, sizeof *session);
  struct side *a = &session->sides[0], *b = &session->sides[1];
  *a = (struct side){.fd = client, .peer = up, .other = b, .pipe = {-1, -1}, .armed = EPOLLIN};
  *b = (struct side){.fd = up, .peer = client, .other = a, .pipe = {-1, -1}, .armed = EPOLLIN};
  if (up < 0 || connect(up, (const struct sockaddr *)upstream, sizeof *upstream) ||
      pipe2(a->pipe, O_NONBLOCK) || pipe2(b->pipe, O_NONBLOCK)) {
    perror("upstream connect or pipe2");
    close(client), close(up), close(a->pipe[0]), close(a->pipe[1]), close(b->pipe[0]), close(b->pipe[1]);
    free(session);
    return;
  }
  fcntl(up, F_SETFL, O_NONBLOCK);
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = a};
  epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev);
  ev.data.ptr = b;
  epoll_ctl(ep, EPOLL_CTL_ADD, up, &ev);
}

// Accepts every waiting client. A failure other than "none left" (EMFILE, ENOBUFS) is
// reported once in a row; the listener stays ready, so the next report retries.
static void accept_all(int listener, const struct sockaddr_in *upstream) {
  static int last_errno;
  for (;;) {
    int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
    if (client >= 0) {
      last_errno = 0;
      open_session(client, upstream);
      continue;
    }
    if (errno != EAGAIN && errno != last_errno) fprintf(stderr, "accept4: %s\n", strerror(errno));
    last_errno = errno == EAGAIN ? last_errno : errno;
    return;
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-splice: EPIPE, not death
  int listen_port = argc == 3 ? parse_port(argv[1]) : -1, upstream_port = argc == 3 ? parse_port(argv[2]) : -1;
  if (listen_port < 0 || upstream_port < 0) {
    return fprintf(stderr, "usage: %s LISTEN_PORT UPSTREAM_PORT (1..65535)\n", argv[0]), 2;
  }
  int one = 1, listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ep = epoll_create1(0);
  struct sockaddr_in at = loopback(listen_port), upstream = loopback(upstream_port);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&at, sizeof at) || listen(listener, SOMAXCONN)) return perror("listen"), 1;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  printf("listening on 127.0.0.1:%d\n", listen_port);
  fflush(stdout);
  for (;;) {
    struct epoll_event ready[64];
    int count = epoll_wait(ep, ready, 64, -1);
    for (int i = 0; i < count; ++i) {
      struct side *s = ready[i].data.ptr;
      if (s == NULL) {
        accept_all(listener, &upstream);
      } else if (!session_of(s)->closed) {
        on_ready(s, ready[i].events);
      }
    }
    while (closed_sessions != NULL) {
      struct session *next = closed_sessions->next_closed;
      free(closed_sessions);
      closed_sessions = next;
    }
  }
}
