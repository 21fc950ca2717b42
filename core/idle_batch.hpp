#pragma once
// idle_batch: how a busy run loop sleeps. When a loop under load runs out of work it
// would sleep until the next completion and wake for it alone, then go back to sleep
// a moment later; on a VM each sleep and wake-up costs microseconds of the loop's CPU.
// Instead, right after a busy stretch, it asks the kernel to wake it when `completions`
// are ready, or `max_delay` after it slept if at least one is (the kernel's min-wait:
// IORING_ENTER_EXT_ARG with min_wait_usec, Linux 6.12+, IORING_FEAT_MIN_TIMEOUT). With
// DEFER_TASKRUN the kernel then does not even wake the thread for each arrival.
//
// It never costs an idle or lightly loaded server anything: a sleep is batched only
// when the stretch of work before it reaped at least `completions` CQEs, no task work
// is pending (IORING_SQ_TASKRUN) and the CQ is empty. A batched sleep that ends by
// the delay reaps fewer, so the next sleep is a plain one. The worst a request can
// wait is `max_delay`, and only while the loop was just busy.

#include <liburing.h>

#include <chrono>

namespace coring {

struct idle_batch_options {
  unsigned completions = 32;  // 0 or 1: off (every sleep ends at the first completion)
  std::chrono::microseconds max_delay{200};  // ≤ 0: off; longer than max_delay_limit: capped
};

// Past this a "batch" is just a stall; the kernel's field is 32-bit µs anyway.
inline constexpr std::chrono::microseconds max_delay_limit{1'000'000};

class idle_batch {
 public:
  // Reads what the ring supports: min-wait (IORING_FEAT_MIN_TIMEOUT), deferred task
  // work and the IORING_SQ_TASKRUN flag. Without them, batching stays off.
  idle_batch() noexcept = default;  // off
  idle_batch(const io_uring& ring, const idle_batch_options& options) noexcept;

  bool enabled() const noexcept { return enabled_; }
  const idle_batch_options& options() const noexcept { return options_; }

  // The loop reaped `count` more CQEs.
  void on_reaped(unsigned count) noexcept { reaped_since_sleep_ += count; }

  // Called when the loop is about to wait with nothing to submit. If this is a sleep
  // that should be batched, sleeps (one io_uring_enter) and returns true; otherwise
  // returns false and the caller enters as usual. A real sleep, batched or not, starts
  // a new stretch of work; an enter that only runs pending work does not.
  bool sleep_batched(io_uring& ring) noexcept;

 private:
  idle_batch_options options_{};
  bool enabled_ = false;
  unsigned reaped_since_sleep_ = 0;
};

}  // namespace coring
