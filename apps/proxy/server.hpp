#pragma once
// server: one thread's proxy — core's accept loop with --max-conns in front of each
// session, sessions drained within --drain-timeout on shutdown, and beside them a
// once-a-second trim of the thread's pipe pool.

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "apps/proxy/counters.hpp"
#include "apps/proxy/metrics_endpoint.hpp"
#include "apps/proxy/options.hpp"
#include "core/launch.hpp"
#include "core/listener.hpp"
#include "core/task.hpp"

namespace proxy {

// What the threads share: the only cross-thread state in the proxy.
struct shared_state {
  std::size_t pipes_per_thread = 2;
  std::atomic<std::size_t> active{0};  // live sessions, for --max-conns
  std::mutex totals_mutex;             // guards the totals, written once per thread at exit
  counters totals;
  // --metrics-port: each thread's counters, published once a second for the endpoint
  // that thread 0 serves on `metrics`.
  std::vector<std::unique_ptr<published_thread>> published;
  std::optional<coring::listener> metrics;
};

// Opens the --metrics-port listener (before the threads start: a port in use is an
// error at start-up).
void open_metrics_listener(const options& opts, shared_state& shared);

coring::task<void> serve(const options* opts, shared_state* shared, coring::serving_thread& thread);

}  // namespace proxy
