#pragma once
// runtime: one io_uring and one run loop per thread.
//
// The loop (run_once) is: resume every ready coroutine → one io_uring_submit_and_wait
// → copy out every CQE in a batch → dispatch each to the completion its user_data
// names. The ring is created with IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN
// (completion work runs only when this thread asks for events), a sized CQ ring, a
// sparse direct-descriptor table and a provided-buffer ring for multishot recv.
//
// Minimum kernel: Linux 6.1 (DEFER_TASKRUN; multishot recv into a provided-buffer
// ring). Below it: before 5.19 construction throws runtime_setup_error naming
// io_uring_register_buf_ring (no provided-buffer rings); 5.19 and 6.0 start without
// DEFER_TASKRUN, and 5.19 refuses multishot recv (6.0), so HTTP connections fail at
// their first receive. Newer features are used when the kernel has them and skipped
// when not: io_uring setsockopt (6.7; the proxy's push batching stays off) and
// min-wait batched sleeps (6.12; plain sleeps).

#include <liburing.h>

#include <coroutine>
#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "core/completion.hpp"
#include "core/idle_batch.hpp"
#include "core/intrusive_list.hpp"
#include "core/setup_error.hpp"
#include "core/stats.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"

namespace coring {

class buffer_ring;

namespace detail {
struct detached_promise;
}

// What a coroutine returns when runtime::spawn starts it directly: its own frame is the
// spawned frame, instead of a task<void> frame wrapped in a second one. For what is
// spawned by the thousand and then waits for long — a server's connections — that
// wrapper would be a cost per connection. Hand it to spawn() before anything else.
struct spawned {
  using promise_type = detail::detached_promise;
  std::coroutine_handle<detail::detached_promise> h;
};

class runtime {
 public:
  struct options {
    unsigned sq_entries = 1024;
    unsigned cq_entries = 0;       // 0: 16 × sq_entries (multishot produces many CQEs per SQE)
    unsigned fixed_files = 0;      // direct-descriptor table; 0: the RLIMIT_NOFILE soft limit
    unsigned buffer_count = 2048;  // provided buffers for multishot recv (a power of two)
    unsigned buffer_size = 4096;
    idle_batch_options idle_batch{};  // how the loop sleeps after a busy stretch
  };

  explicit runtime(const options& opts);
  runtime() : runtime(options{}) {}
  ~runtime();
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  // The runtime of the calling thread (one must exist).
  static runtime& current() noexcept;
  static runtime* current_or_null() noexcept;

  // A free SQE; when the SQ is full, submits and retries — never fails.
  io_uring_sqe* sqe();
  // Guarantees the next `count` sqe() calls need no submit in between (linked chains).
  void reserve_sqes(unsigned count);
  // Queues a request whose completion nobody waits for: prep(sqe) fills it, and its
  // user_data is 0, which the loop skips. For requests whose result cannot change what
  // the caller does next (a shutdown(2) of a socket that may be gone already).
  template <class Prep>
  void submit_detached(Prep&& prep) {
    io_uring_sqe* s = sqe();
    prep(s);
    io_uring_sqe_set_data64(s, 0);
  }

  // Queues a coroutine to be resumed on the next loop iteration.
  void post(std::coroutine_handle<> h) { ready_.push_back(h); }

  // Starts a detached task owned by the runtime: its frame is freed when it ends;
  // an exception escaping it is reported on stderr and counted, never dropped.
  void spawn(task<void> t);
  // Starts a `spawned` coroutine the same way; `under` is the stop_source its awaits
  // see (like task::under), or none.
  void spawn(spawned s, stop_source* under = nullptr);
  std::size_t live_spawned() const noexcept { return live_spawned_; }

  // Runs the loop on this thread until `t` completes; returns its value or rethrows.
  template <class T>
  T block_on(task<T> t);

  // One loop iteration: run_ready(), then submit_and_reap(), waiting for at least one
  // CQE if nothing is ready and may_wait.
  void run_once(bool may_wait = true);
  // Resumes every coroutine that became ready.
  void run_ready();
  // One io_uring_submit_and_wait, then dispatches every CQE in a batch.
  void submit_and_reap(bool wait);

  // True while more work waits to run in this loop turn: coroutines still to resume or
  // completions of the current batch still to dispatch. A hint for batching: an SQE
  // queued now goes out with that work's at the end of the turn, not after a sleep.
  bool more_work_this_turn() const noexcept {
    return resumes_left_ != 0 || dispatches_left_ != 0 || !ready_.empty();
  }
  // Loop turns so far; SQEs queued in the current turn are submitted when it changes.
  std::uint64_t turn() const noexcept { return stats_.loop_iterations; }

  // Requested on graceful shutdown (signal, or another thread's message).
  stop_source& shutdown_source() noexcept { return shutdown_; }

  buffer_ring& buffers() noexcept { return *buffers_; }
  runtime_stats& stats() noexcept;
  io_uring& ring() noexcept { return ring_; }
  // Whether sleeps after a busy stretch are batched (options::idle_batch, and a kernel
  // with min-wait and deferred task work).
  bool idle_batch_enabled() const noexcept { return idle_batch_.enabled(); }
  int ring_fd() const noexcept { return ring_.ring_fd; }

  // Direct-descriptor bookkeeping, so accept can fall back to plain fds when full.
  unsigned fixed_file_capacity() const noexcept { return fixed_file_capacity_; }
  unsigned fixed_files_in_use() const noexcept { return fixed_files_in_use_; }
  void on_fixed_file_opened() noexcept { ++fixed_files_in_use_; }
  void on_fixed_file_closed() noexcept { --fixed_files_in_use_; }

  // A completion for CQEs that only matter when they fail (msg_ring, cancel): counts
  // and reports the failure.
  completion* failure_reporter() noexcept { return &failure_reporter_; }
  // Posted (through IORING_OP_MSG_RING) by another thread to request shutdown here.
  completion* shutdown_notice() noexcept { return &shutdown_notice_; }
  // Posted by another thread just to wake this loop up.
  completion* wake_notice() noexcept { return &wake_notice_; }
  std::uint64_t failures_reported() const noexcept { return failures_; }

 private:
  friend struct detail::detached_promise;
  void submit(unsigned wait_for);
  void reap();
  void link(detail::detached_promise* p) noexcept;
  void unlink(detail::detached_promise* p) noexcept;
  void report_task_failure(std::exception_ptr error) noexcept;
  static void report_failure(completion* self, int res, std::uint32_t flags) noexcept;
  static void on_shutdown_notice(completion* self, int res, std::uint32_t flags) noexcept;

  struct reporter : completion {
    runtime* owner;
  };

  io_uring ring_{};
  idle_batch idle_batch_{};
  runtime_stats stats_{};
  std::vector<std::coroutine_handle<>> ready_;
  std::vector<std::coroutine_handle<>> running_;
  std::unique_ptr<buffer_ring> buffers_;
  stop_source shutdown_;
  intrusive_list<detail::detached_promise> spawned_;
  std::size_t live_spawned_ = 0;
  unsigned fixed_file_capacity_ = 0;
  unsigned fixed_files_in_use_ = 0;
  reporter failure_reporter_{};
  reporter shutdown_notice_{};
  reporter wake_notice_{};
  std::uint64_t failures_ = 0;
  std::uint64_t cq_overflows_seen_ = 0;  // reaps that found CQEs held back by the kernel
  std::size_t resumes_left_ = 0;         // run_ready: coroutines after the one running
  unsigned dispatches_left_ = 0;         // reap: CQEs after the one being dispatched
  bool closing_ = false;
};

namespace detail {

// The frame of a spawned coroutine: starts when posted, frees itself when it ends. A
// promise_base, so the tasks it awaits inherit its stop_source.
// Its runtime is the current one: a spawned frame lives and dies on its thread.
struct detached_promise : promise_base, list_node<detached_promise> {
  static void* operator new(std::size_t size) { return frame_pool::allocate_lasting(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    frame_pool::deallocate_lasting(frame, size);
  }
  spawned get_return_object() noexcept {
    return {std::coroutine_handle<detached_promise>::from_promise(*this)};
  }
  std::suspend_never final_suspend() const noexcept { return {}; }
  void return_void() const noexcept {}
  void unhandled_exception() const noexcept {
    runtime::current().report_task_failure(std::current_exception());
  }
  ~detached_promise() {
    if (linked()) runtime::current().unlink(this);
  }
};

template <class T>
task<T> flag_when_done(task<T> inner, bool* done) {
  struct set_on_exit {
    bool* flag;
    ~set_on_exit() { *flag = true; }
  } guard{done};
  co_return co_await std::move(inner);
}

}  // namespace detail

template <class T>
T runtime::block_on(task<T> t) {
  bool done = false;
  task<T> outer = detail::flag_when_done(std::move(t), &done);
  post(outer.handle());
  for (;;) {
    run_ready();
    if (done) break;
    submit_and_reap(true);
  }
  return outer.handle().promise().take();
}

}  // namespace coring
