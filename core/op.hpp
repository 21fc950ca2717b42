#pragma once
// io_op: the pattern every single-shot I/O awaitable follows.
//
// await_suspend takes an SQE, lets the operation fill it (prep), points user_data at
// this object and parks the coroutine handle. The CQE stores res and resumes the
// waiter. The object lives in the awaiting coroutine's frame: no allocation per I/O.
//
// Cancellation: if the awaiting task's stop_source fires while the operation is in
// flight, an IORING_OP_ASYNC_CANCEL is submitted. The waiter is resumed only by the
// operation's own CQE (usually -ECANCELED), so buffers the kernel writes stay alive.
// Deadline: .deadline(d) links an IORING_OP_LINK_TIMEOUT; expiry yields -ETIMEDOUT.

#include <liburing.h>

#include <chrono>
#include <coroutine>
#include <cstdint>

#include "core/completion.hpp"
#include "core/result.hpp"
#include "core/runtime.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"

namespace coring {

inline __kernel_timespec to_timespec(std::chrono::nanoseconds d) noexcept {
  if (d.count() < 0) d = std::chrono::nanoseconds(0);
  __kernel_timespec ts{};
  ts.tv_sec = static_cast<long long>(d.count() / 1'000'000'000);
  ts.tv_nsec = static_cast<long long>(d.count() % 1'000'000'000);
  return ts;
}

// Submits an IORING_OP_ASYNC_CANCEL for the request whose user_data is `target`.
inline void submit_cancel(const void* target) {
  runtime& rt = runtime::current();
  io_uring_sqe* s = rt.sqe();
  io_uring_prep_cancel(s, const_cast<void*>(target), 0);
  io_uring_sqe_set_data(s, rt.failure_reporter());
}

// The stop hook an in-flight operation registers; cancels the operation it names.
class cancel_on_stop {
 public:
  explicit cancel_on_stop(const void* target) noexcept : callback_(&fire, this), target_(target) {}
  // Registers on `source`; returns false if stop was already requested.
  bool arm(stop_source* source) noexcept {
    if (source == nullptr) return true;
    if (!source->add(&callback_)) return false;
    source_ = source;
    return true;
  }
  void disarm() noexcept {
    if (source_ != nullptr) source_->remove(&callback_);
    source_ = nullptr;
  }
  bool fired() const noexcept { return fired_; }

 private:
  static void fire(void* self) noexcept {
    auto* me = static_cast<cancel_on_stop*>(self);
    me->fired_ = true;
    me->source_ = nullptr;
    submit_cancel(me->target_);
  }
  stop_callback callback_;
  const void* target_;
  stop_source* source_ = nullptr;
  bool fired_ = false;
};

template <class Prep>
class [[nodiscard]] io_op : private completion {
 public:
  explicit io_op(Prep prep) noexcept : completion{&on_complete}, prep_(prep), stop_hook_(this) {}
  io_op(const io_op& o) noexcept : io_op(o.prep_) {
    deadline_ = o.deadline_;
    has_deadline_ = o.has_deadline_;
  }

  // Fails the operation with -ETIMEDOUT if it has not completed within `d`.
  io_op deadline(std::chrono::nanoseconds d) const noexcept {
    io_op copy(*this);
    copy.deadline_ = to_timespec(d);
    copy.has_deadline_ = true;
    return copy;
  }

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> waiter) {
    if (!stop_hook_.arm(detail::stop_of(waiter))) {
      result_ = -ECANCELED;  // stopped before it started: never submitted
      return false;
    }
    runtime& rt = runtime::current();
    rt.reserve_sqes(has_deadline_ ? 2 : 1);
    io_uring_sqe* s = rt.sqe();
    prep_(s);
    io_uring_sqe_set_data(s, static_cast<completion*>(this));
    if (has_deadline_) {
      s->flags |= IOSQE_IO_LINK;
      io_uring_sqe* t = rt.sqe();
      // LIFETIME: deadline_ is read when the SQE is submitted; this op outlives that.
      io_uring_prep_link_timeout(t, &deadline_, 0);
      io_uring_sqe_set_data64(t, 0);
    }
    waiter_ = waiter;
    return true;
  }

  io_result await_resume() noexcept {
    stop_hook_.disarm();
    // -ECANCELED that we did not ask for comes from the linked timeout.
    if (result_ == -ECANCELED && has_deadline_ && !stop_hook_.fired()) result_ = -ETIMEDOUT;
    return io_result{result_};
  }

  // The CQE's flags, after the await (e.g. IORING_CQE_F_SOCK_NONEMPTY on a receive: the
  // socket holds more bytes, which the proxy's auto mode reads as a bulky transfer).
  std::uint32_t cqe_flags() const noexcept { return flags_; }

  // Submits the operation without waiting for it (runtime::submit_detached): nobody
  // sees its result, and what prep points at must outlive the submission only.
  void detach() && { runtime::current().submit_detached(prep_); }

 private:
  static void on_complete(completion* self, int res, std::uint32_t flags) noexcept {
    auto* op = static_cast<io_op*>(self);
    op->result_ = res;
    op->flags_ = flags;
    op->waiter_.resume();
  }

  Prep prep_;
  cancel_on_stop stop_hook_;
  std::coroutine_handle<> waiter_;
  __kernel_timespec deadline_{};
  int result_ = 0;
  std::uint32_t flags_ = 0;
  bool has_deadline_ = false;
};

template <class Prep>
io_op<Prep> make_op(Prep prep) noexcept {
  return io_op<Prep>(prep);
}

}  // namespace coring
