// sockmap_proxy: a proxy whose payload is forwarded by the kernel itself — both sockets
// of a session go into a BPF sockhash, and an sk_skb verdict program redirects every
// received skb to the other socket's egress (bpf_sk_redirect_hash, keyed by the socket
// cookie of the socket the bytes arrived on). No wake-up of this process per request.
// It exists to measure whether kernel forwarding beats coring's splice engine on this
// machine (it does not: an egress redirect is transmitted from a workqueue, so every
// request still costs a context switch, to a kworker, on each CPU). Not part of coring.
// Needs CAP_BPF + CAP_NET_ADMIN (root). One thread; epoll watches each session's two
// sockets for their end (EPOLLRDHUP, a reset) only, and then closes both, which also
// takes them out of the sockhash. Closing at the first end of stream drops whatever the
// other direction still has queued: fine for HTTP clients that close after their last
// response, not for an upstream that closes right after sending one.
//
//   cc -O2 -o sockmap_proxy sockmap_proxy.c
//   ./sockmap_proxy LISTEN_PORT UPSTREAM_PORT      (127.0.0.1 both)
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

// A TCP port from the command line, or -1 (then main prints the usage).
static int parse_port(const char *text) {
  char *end = NULL;
  long port = strtol(text, &end, 10);
  return *text != '\0' && *end == '\0' && port >= 1 && port <= 65535 ? (int)port : -1;
}

static long bpf(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof *attr); }

#define INSN(c, d, s, o, i) \
  ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

static int map_put(int map, uint64_t key, uint64_t socket_fd) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_fd = (uint32_t)map;
  a.key = (uint64_t)(uintptr_t)&key;
  a.value = (uint64_t)(uintptr_t)&socket_fd;
  a.flags = BPF_ANY;
  return (int)bpf(BPF_MAP_UPDATE_ELEM, &a);
}

static uint64_t cookie_of(int fd) {
  uint64_t cookie = 0;
  socklen_t length = sizeof cookie;
  getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &length);
  return cookie;
}

// A client and its upstream connection; the ready list may still name a closed one,
// so it is freed after the batch.
struct session {
  int client, up, closed;
  struct session *next_closed;
};
static struct session *closed_sessions;

static void close_session(struct session *session) {
  close(session->client), close(session->up);  // also leaves epoll and the sockhash
  session->closed = 1;
  session->next_closed = closed_sessions;
  closed_sessions = session;
}

static void free_closed_sessions(void) {
  while (closed_sessions != NULL) {
    struct session *next = closed_sessions->next_closed;
    free(closed_sessions);
    closed_sessions = next;
  }
}

// Connects a new client to the upstream and hands both to the kernel: 0 when that failed
// (both sockets closed).
static int open_session(int ep, int map, int client, const struct sockaddr_in *upstream) {
  int one = 1, up = socket(AF_INET, SOCK_STREAM, 0);
  if (up < 0 || connect(up, (const struct sockaddr *)upstream, sizeof *upstream)) {
    return close(client), close(up), 0;
  }
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(up, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct session *session = calloc(1, sizeof *session);
  *session = (struct session){.client = client, .up = up};
  struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = session};
  if (map_put(map, cookie_of(client), (uint64_t)up) || map_put(map, cookie_of(up), (uint64_t)client) ||
      epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev) || epoll_ctl(ep, EPOLL_CTL_ADD, up, &ev)) {
    // EOPNOTSUPP: a socket no longer established (the client left before its session
    // began) cannot join a sockhash; nothing to report.
    if (errno != EOPNOTSUPP) perror("BPF_MAP_UPDATE_ELEM or EPOLL_CTL_ADD");
    close_session(session);
    return 0;
  }
  // Bytes that arrived before the sockets were in the map are not redirected: forward
  // them by hand (racy against new bytes in general; fine for request/response).
  char early[65536];
  ssize_t n = recv(client, early, sizeof early, MSG_DONTWAIT);
  if (n > 0) send(up, early, (size_t)n, 0);
  return 1;
}

// Accepts every waiting client. A failure other than "none left" (EMFILE, ENOBUFS) is
// reported once in a row; the listener stays ready, so the next report retries.
static void accept_all(int ep, int listener, int map, const struct sockaddr_in *upstream) {
  static int last_errno;
  for (;;) {
    int client = accept(listener, NULL, NULL);
    if (client >= 0) {
      last_errno = 0;
      open_session(ep, map, client, upstream);
      continue;
    }
    if (errno != EAGAIN && errno != last_errno) fprintf(stderr, "accept: %s\n", strerror(errno));
    last_errno = errno == EAGAIN ? last_errno : errno;
    return;
  }
}

// The sockhash whose sk_skb verdict program redirects every skb a member receives to
// the egress of the socket stored under its cookie; -1 (reported) without BPF rights.
static int redirecting_sockhash(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_SOCKHASH;  // cookie of the receiving socket -> the other socket
  a.key_size = 8;
  a.value_size = 8;
  a.max_entries = 65536;
  int map = (int)bpf(BPF_MAP_CREATE, &a);
  if (map < 0) return perror("BPF_MAP_CREATE (needs root)"), -1;

  struct bpf_insn program[] = {
      INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),   // r6 = skb
      INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_get_socket_cookie),
      INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 0, -8, 0),  // key on the stack
      INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0),   // r1 = skb
      INSN(BPF_LD | BPF_DW | BPF_IMM, 2, BPF_PSEUDO_MAP_FD, 0, map),
      INSN(0, 0, 0, 0, 0),                              // r2 = map (two-slot load)
      INSN(BPF_ALU64 | BPF_MOV | BPF_X, 3, 10, 0, 0),  // r3 = &key
      INSN(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, -8),
      INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 0),   // r4 = 0: the other socket's egress
      INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_sk_redirect_hash),
      INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
  static char log[65536];
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_SK_SKB;
  a.insns = (uint64_t)(uintptr_t)program;
  a.insn_cnt = sizeof program / sizeof program[0];
  a.license = (uint64_t)(uintptr_t)"GPL";
  a.log_buf = (uint64_t)(uintptr_t)log;
  a.log_size = sizeof log;
  a.log_level = 1;
  int verdict = (int)bpf(BPF_PROG_LOAD, &a);
  if (verdict < 0) return fprintf(stderr, "BPF_PROG_LOAD failed:\n%s\n", log), -1;
  memset(&a, 0, sizeof a);
  a.target_fd = (uint32_t)map;
  a.attach_bpf_fd = (uint32_t)verdict;
  a.attach_type = BPF_SK_SKB_VERDICT;
  return bpf(BPF_PROG_ATTACH, &a) < 0 ? perror("BPF_PROG_ATTACH"), -1 : map;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-splice: EPIPE, not death
  int listen_port = argc == 3 ? parse_port(argv[1]) : -1, upstream_port = argc == 3 ? parse_port(argv[2]) : -1;
  if (listen_port < 0 || upstream_port < 0) {
    return fprintf(stderr, "usage: %s LISTEN_PORT UPSTREAM_PORT (1..65535)\n", argv[0]), 2;
  }
  int map = redirecting_sockhash();
  if (map < 0) return 1;

  int one = 1, listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((unsigned short)listen_port)};
  struct sockaddr_in upstream = {.sin_family = AF_INET, .sin_port = htons((unsigned short)upstream_port)};
  at.sin_addr.s_addr = upstream.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&at, sizeof at) || listen(listener, SOMAXCONN)) return perror("listen"), 1;
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  printf("listening on 127.0.0.1:%d\n", listen_port);
  fflush(stdout);
  for (;;) {
    struct epoll_event ready[64];
    int count = epoll_wait(ep, ready, 64, -1);
    for (int i = 0; i < count; ++i) {
      struct session *session = ready[i].data.ptr;
      if (session == NULL) {
        accept_all(ep, listener, map, &upstream);
      } else if (!session->closed) {
        close_session(session);
      }
    }
    free_closed_sessions();
  }
}
