#pragma once
// multishot_request: the bookkeeping every multishot request (one SQE, many CQEs)
// shares, whatever its results are — listener (accept) and multishot_recv build on it.
//
// - armed: the kernel holds the request. A CQE without IORING_CQE_F_MORE is its last;
//   the owner then decides to arm it again, or not.
// - Two waiters: the owner's coroutine waiting for the next result, and (once the owner
//   has stopped the request) the one waiting for its end, after which no CQE can come
//   and the object may be destroyed.
// - wake() resumes whichever can go on, and must be the last thing a CQE handler does:
//   the resumed owner may destroy the object before resume() returns.

#include <liburing.h>

#include <coroutine>
#include <cstdint>
#include <utility>

#include "core/completion.hpp"
#include "core/op.hpp"

namespace coring {

class multishot_request : protected completion {
 public:
  bool armed() const noexcept { return armed_; }

 protected:
  explicit multishot_request(completion::handler on_cqe) noexcept : completion{on_cqe} {}

  // Points a prepared SQE at this request and marks it armed.
  void submitted(io_uring_sqe* s) noexcept {
    io_uring_sqe_set_data(s, static_cast<completion*>(this));
    armed_ = true;
  }
  // First thing in a CQE handler: false if this CQE is the request's last.
  bool still_armed(std::uint32_t cqe_flags) noexcept {
    const bool more = (cqe_flags & IORING_CQE_F_MORE) != 0;
    if (!more) armed_ = false;
    return more;
  }
  // Asks the kernel to end the request; its last CQE follows (usually -ECANCELED).
  void cancel_request() { submit_cancel(static_cast<completion*>(this)); }

  // Resumes the end waiter once `settled` (nothing in flight), else the next-result
  // waiter when `result_ready`. Call last: the owner may destroy this object.
  void wake(bool result_ready, bool settled) {
    if (end_waiter_ && settled) {
      std::exchange(end_waiter_, {}).resume();
    } else if (next_waiter_ && result_ready) {
      std::exchange(next_waiter_, {}).resume();
    }
  }

  std::coroutine_handle<> next_waiter_;
  std::coroutine_handle<> end_waiter_;

 private:
  bool armed_ = false;
};

}  // namespace coring
