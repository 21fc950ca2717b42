#pragma once
// server: one thread's proxy — core's accept loop with --max-conns in front of each
// session, sessions drained within --drain-timeout on shutdown, and beside them a
// once-a-second trim of the thread's pipe pool.

#include <atomic>
#include <cstddef>
#include <mutex>

#include "apps/proxy/counters.hpp"
#include "apps/proxy/options.hpp"
#include "core/launch.hpp"
#include "core/task.hpp"

namespace proxy {

// What the threads share: the only cross-thread state in the proxy.
struct shared_state {
  std::size_t pipes_per_thread = 2;
  std::atomic<std::size_t> active{0};  // live sessions, for --max-conns
  std::mutex totals_mutex;             // guards the totals, written once per thread at exit
  counters totals;
};

coring::task<void> serve(const options* opts, shared_state* shared, coring::serving_thread& thread);

}  // namespace proxy
