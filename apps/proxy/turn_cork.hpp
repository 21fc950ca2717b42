#pragma once
// turn_cork: corks a socket's small splices for the rest of a busy loop turn, then
// pushes them all at once with the turn's other requests.
//
// A splice(2) into a socket whose reader sleeps on this CPU wakes that reader, and the
// scheduler may preempt us as the call returns: with 100 busy connections that is a
// context switch per request, much of the proxy's CPU (in finish_task_switch under
// splice's return). io_uring sends do not pay it: a turn's sends go out in one
// io_uring_enter and any switch comes once, after it. So while more work waits in the
// same turn, a splice into a socket is made with SPLICE_F_MORE — TCP keeps the partial
// segment and wakes nobody — and an io_uring setsockopt(TCP_NODELAY) on that socket,
// which pushes what it holds, is queued to go out with the turn's other SQEs. With
// nothing else to do (one connection, sequential requests) splices push at once.
// Needs SOCKET_URING_OP_SETSOCKOPT (Linux 6.7+), probed once per thread; without it,
// or with --push-batching off, nothing is ever held.

#include <cstdint>

#include "core/task.hpp"

namespace proxy {

class turn_cork {
 public:
  // Whether this kernel runs SOCKET_URING_OP_SETSOCKOPT (one round through the ring).
  static coring::task<bool> kernel_supports_it();

  turn_cork() = default;  // disabled: never holds
  explicit turn_cork(bool enabled) : enabled_(enabled) {}

  // Whether the next splice into a socket should carry SPLICE_F_MORE.
  bool should_hold() const noexcept;
  // Queues the push of `fd`, whose last splice was held; it reaches the kernel with the
  // turn's next submit, ahead of any later close of `fd` on the same ring.
  void push_later(int fd);

  bool enabled() const noexcept { return enabled_; }
  std::uint64_t pushes() const noexcept { return pushes_; }

 private:
  bool enabled_ = false;
  std::uint64_t pushes_ = 0;
  std::uint64_t last_push_turn_ = ~std::uint64_t{0};
};

}  // namespace proxy
