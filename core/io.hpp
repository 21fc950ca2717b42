#pragma once
// Single-shot socket and pipe operations: each returns an io_op to co_await.
// The prep lambdas capture arguments by value; pointed-to memory must stay alive
// until the operation completes (the awaiting frame keeps it).

#include <liburing.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <cstddef>

#include "core/descriptor.hpp"
#include "core/op.hpp"

namespace coring {

inline auto recv(descriptor d, void* buffer, std::size_t length, int flags = 0) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_recv(s, d.index, buffer, length, flags);
    d.apply(s);
  });
}

inline auto send(descriptor d, const void* data, std::size_t length, int flags = MSG_NOSIGNAL) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_send(s, d.index, data, length, flags);
    d.apply(s);
  });
}

// LIFETIME: the iovec array and what it points at must outlive the CQE.
inline auto writev(descriptor d, const iovec* vectors, unsigned count) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_writev(s, d.index, vectors, count, 0);
    d.apply(s);
  });
}

inline auto sendmsg(descriptor d, const msghdr* message, int flags = MSG_NOSIGNAL) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_sendmsg(s, d.index, message, static_cast<unsigned>(flags));
    d.apply(s);
  });
}

inline auto connect(descriptor d, const sockaddr* address, socklen_t length) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_connect(s, d.index, address, length);
    d.apply(s);
  });
}

inline auto shutdown(descriptor d, int how) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_shutdown(s, d.index, how);
    d.apply(s);
  });
}

// Moves up to `length` bytes between a socket and a pipe inside the kernel.
inline auto splice(descriptor in, descriptor out, unsigned length, unsigned flags = 0) {
  return make_op([=](io_uring_sqe* s) {
    unsigned splice_flags = flags;
    if (in.direct) splice_flags |= SPLICE_F_FD_IN_FIXED;
    io_uring_prep_splice(s, in.index, -1, out.index, -1, length, splice_flags);
    out.apply(s);  // IOSQE_FIXED_FILE names the output side
  });
}

// Completes once `d` is ready for `mask` (POLLIN, POLLOUT, ...): res is the ready
// mask (POLLERR/POLLHUP included), or -errno. One-shot IORING_OP_POLL_ADD; readiness
// that already holds completes at submission without waiting.
inline auto poll(descriptor d, unsigned mask) {
  return make_op([=](io_uring_sqe* s) {
    io_uring_prep_poll_add(s, d.index, mask);
    d.apply(s);
  });
}

// Closes a plain fd or frees a direct-descriptor slot.
inline auto close(descriptor d) {
  if (d.direct) runtime::current().on_fixed_file_closed();
  return make_op([=](io_uring_sqe* s) {
    if (d.direct) {
      io_uring_prep_close_direct(s, static_cast<unsigned>(d.index));
    } else {
      io_uring_prep_close(s, d.index);
    }
  });
}

}  // namespace coring
