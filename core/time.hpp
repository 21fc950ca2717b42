#pragma once
// Timers: sleep_for is an IORING_OP_TIMEOUT; the kernel orders expiries.
// For a deadline on one operation use io_op::deadline (a linked timeout) instead.

#include <chrono>

#include "core/op.hpp"

namespace coring {

template <class Prep>
class timer_op : public io_op<Prep> {
 public:
  using io_op<Prep>::io_op;
  // An expired timer is the normal outcome: report it as success.
  io_result await_resume() noexcept {
    io_result r = io_op<Prep>::await_resume();
    if (r.value == -ETIME) r.value = 0;
    return r;
  }
};

// Completes with 0 after `d`, or -ECANCELED if the awaiting task is stopped first.
inline auto sleep_for(std::chrono::nanoseconds d) {
  auto prep = [ts = to_timespec(d)](io_uring_sqe* s) mutable {
    // LIFETIME: ts lives in this op (inside the awaiting frame) until the CQE.
    io_uring_prep_timeout(s, &ts, 0, 0);
  };
  return timer_op<decltype(prep)>(prep);
}

}  // namespace coring
