#pragma once
// Cross-thread messages through IORING_OP_MSG_RING.
//
// A message is a CQE posted into another thread's ring; its user_data names a
// completion that then runs on that thread. switch_to(target) uses this to move the
// awaiting coroutine onto target's thread — the one explicit way work crosses cores.
// The sending side's CQE is skipped on success (IOSQE_CQE_SKIP_SUCCESS); a failure is
// reported by the sender's runtime.

#include <coroutine>

#include "core/completion.hpp"
#include "core/runtime.hpp"

namespace coring {

// Posts `message` to run on target's thread, with `value` as its res.
inline void post_message(runtime& target, completion* message, int value = 0) {
  runtime& here = runtime::current();
  io_uring_sqe* s = here.sqe();
  io_uring_prep_msg_ring(s, target.ring_fd(), static_cast<unsigned>(value),
                         reinterpret_cast<std::uint64_t>(message), 0);
  s->flags |= IOSQE_CQE_SKIP_SUCCESS;
  io_uring_sqe_set_data(s, here.failure_reporter());
}

class switch_to : private completion {
 public:
  explicit switch_to(runtime& target) noexcept : completion{&on_arrival}, target_(target) {}
  bool await_ready() const noexcept { return &target_ == runtime::current_or_null(); }
  void await_suspend(std::coroutine_handle<> waiter) {
    waiter_ = waiter;
    post_message(target_, this);
  }
  void await_resume() const noexcept {}

 private:
  static void on_arrival(completion* self, int, std::uint32_t) noexcept {
    static_cast<switch_to*>(self)->waiter_.resume();
  }
  runtime& target_;
  std::coroutine_handle<> waiter_;
};

}  // namespace coring
