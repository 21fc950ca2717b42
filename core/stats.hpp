#pragma once
// runtime_stats: counters a run loop keeps so a benchmark can show where time goes.

#include <cstdint>
#include <cstdio>

namespace coring {

struct runtime_stats {
  std::uint64_t loop_iterations = 0;
  std::uint64_t enter_calls = 0;  // io_uring_enter system calls
  std::uint64_t sqes_submitted = 0;
  std::uint64_t cqes_reaped = 0;
  std::uint64_t cq_overflows = 0;    // loop turns that found CQEs held back (+ CQEs dropped)
  std::uint64_t enobufs_rearms = 0;  // multishot recv re-armed after buffer-ring exhaustion
  std::uint64_t recv_pauses = 0;     // multishot recv paused: its owner left max_queued unread
  std::uint64_t tasks_spawned = 0;
  std::uint64_t task_errors = 0;  // spawned tasks that ended with an exception
  std::uint64_t zc_sends = 0;
  std::uint64_t zc_copied = 0;            // send_zc notifications that reported a copy
  std::uint64_t accept_backoffs = 0;      // 10 ms pauses: out of fds, or errors in a row
  std::uint64_t accept_errors = 0;        // accept CQEs with an error (ECANCELED aside)
  std::uint64_t idle_batched_sleeps = 0;  // sleeps that waited for a batch (idle_batch.hpp)

  runtime_stats& operator+=(const runtime_stats& o) noexcept;
};

// CPU time (user + system) this process has used, in microseconds.
std::uint64_t process_cpu_micros() noexcept;

// Prints stats, the request count and CPU µs per request (the --stats output of apps).
void print_stats(std::FILE* out, const runtime_stats& stats, std::uint64_t requests,
                 std::uint64_t cpu_micros);

}  // namespace coring
