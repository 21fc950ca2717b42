/* uring_floor --port N: the io_uring floor for the hello scenario. One thread, one ring
 * (single issuer, deferred task work, as coring sets it up when the kernel allows), a
 * multishot accept, a multishot recv per connection into a ring of provided buffers,
 * and a send of the constant response per batch of requests received. Nothing else: no
 * parsing beyond counting request ends, no per-request allocation, no timers. What
 * coring's hello costs above this is what its runtime and HTTP layer cost. */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "floor.h"
#include "listen.h"

enum { ENTRIES = 4096, BUFFERS = 4096, BUFFER_SIZE = 4096, GROUP = 0, MAX_FDS = 1 << 16 };
enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3 };

static struct io_uring ring;
static struct io_uring_buf_ring* buffers;
static char* buffer_memory;
static unsigned char matched[MAX_FDS]; /* per-connection progress through "\r\n\r\n" */

static unsigned long long tag(int op, int fd) { return (unsigned long long)op << 32 | (unsigned)fd; }

static struct io_uring_sqe* next_sqe(void) {
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  if (!sqe) { /* full: hand the queued ones to the kernel first */
    io_uring_submit(&ring);
    sqe = io_uring_get_sqe(&ring);
  }
  return sqe;
}

static void arm_accept(int listener) {
  struct io_uring_sqe* sqe = next_sqe();
  io_uring_prep_multishot_accept(sqe, listener, NULL, NULL, 0);
  io_uring_sqe_set_data64(sqe, tag(OP_ACCEPT, listener));
}

static void arm_recv(int fd) {
  struct io_uring_sqe* sqe = next_sqe();
  io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = GROUP;
  io_uring_sqe_set_data64(sqe, tag(OP_RECV, fd));
}

static void send_responses(int fd, unsigned requests) {
  while (requests > 0) {
    const unsigned n = requests < FLOOR_BATCH ? requests : FLOOR_BATCH;
    struct io_uring_sqe* sqe = next_sqe();
    io_uring_prep_send(sqe, fd, floor_responses, n * FLOOR_RESPONSE_SIZE, 0);
    io_uring_sqe_set_data64(sqe, tag(OP_SEND, fd) | (unsigned long long)n << 48);
    requests -= n;
  }
}

static void give_back(unsigned id) {
  io_uring_buf_ring_add(buffers, buffer_memory + (size_t)id * BUFFER_SIZE, BUFFER_SIZE, id,
                        io_uring_buf_ring_mask(BUFFERS), 0);
  io_uring_buf_ring_advance(buffers, 1);
}

static void on_recv(int fd, const struct io_uring_cqe* cqe) {
  if (cqe->res > 0) {
    const unsigned id = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    send_responses(fd, floor_count_requests(buffer_memory + (size_t)id * BUFFER_SIZE,
                                            (size_t)cqe->res, &matched[fd]));
    give_back(id);
  }
  if (cqe->flags & IORING_CQE_F_MORE) return;
  if (cqe->res == -ENOBUFS || cqe->res > 0) { /* out of buffers for a moment: re-arm */
    arm_recv(fd);
  } else { /* the peer closed, or an error */
    matched[fd] = 0;
    close(fd);
  }
}

static void on_completion(int listener, const struct io_uring_cqe* cqe) {
  const unsigned long long data = io_uring_cqe_get_data64(cqe);
  const int op = (int)(data >> 32 & 0xffff);
  const int fd = (int)(data & 0xffffffffu);
  if (op == OP_ACCEPT) {
    if (cqe->res >= 0 && cqe->res < MAX_FDS) arm_recv(cqe->res);
    else if (cqe->res >= 0) close(cqe->res);
    if (!(cqe->flags & IORING_CQE_F_MORE)) arm_accept(listener);
  } else if (op == OP_RECV) {
    on_recv(fd, cqe);
  } else if (op == OP_SEND && cqe->res >= 0 &&
             (unsigned)cqe->res != (data >> 48) * FLOOR_RESPONSE_SIZE) {
    shutdown(fd, SHUT_RDWR); /* a short send would lose responses: end the connection */
  }
}

static void setup(void) {
  struct io_uring_params params = {.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN};
  if (io_uring_queue_init_params(ENTRIES, &ring, &params) != 0) {
    struct io_uring_params plain = {0};
    if (io_uring_queue_init_params(ENTRIES, &ring, &plain) != 0) {
      perror("uring_floor: io_uring_queue_init");
      exit(1);
    }
  }
  const size_t ring_size = BUFFERS * sizeof(struct io_uring_buf);
  buffers = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  buffer_memory = malloc((size_t)BUFFERS * BUFFER_SIZE);
  struct io_uring_buf_reg reg = {.ring_addr = (unsigned long)buffers, .ring_entries = BUFFERS, .bgid = GROUP};
  if (buffers == MAP_FAILED || !buffer_memory || io_uring_register_buf_ring(&ring, &reg, 0) != 0) {
    fprintf(stderr, "uring_floor: cannot register the buffer ring\n");
    exit(1);
  }
  io_uring_buf_ring_init(buffers);
  for (unsigned id = 0; id < BUFFERS; id++) {
    io_uring_buf_ring_add(buffers, buffer_memory + (size_t)id * BUFFER_SIZE, BUFFER_SIZE, id,
                          io_uring_buf_ring_mask(BUFFERS), (int)id);
  }
  io_uring_buf_ring_advance(buffers, BUFFERS);
}

int main(int argc, char** argv) {
  const int port = floor_parse_port(argc, argv, "uring_floor");
  floor_build_responses();
  setup();
  const int listener = floor_listen(port, 0);
  arm_accept(listener);
  for (;;) {
    const int submitted = io_uring_submit_and_wait(&ring, 1);
    if (submitted < 0 && submitted != -EINTR) {
      fprintf(stderr, "uring_floor: io_uring_submit_and_wait: %s\n", strerror(-submitted));
      return 1;
    }
    struct io_uring_cqe* cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&ring, head, cqe) {
      on_completion(listener, cqe);
      seen++;
    }
    io_uring_cq_advance(&ring, seen);
  }
}
