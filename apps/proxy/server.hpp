#pragma once
// server: one thread's accept loop — listen, enforce --max-conns, start sessions,
// and on shutdown stop accepting and let sessions finish within --shutdown-timeout;
// beside it, a once-a-second trim of the thread's pipe pool.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "apps/proxy/counters.hpp"
#include "apps/proxy/metrics_endpoint.hpp"
#include "apps/proxy/options.hpp"
#include "core/stats.hpp"
#include "core/task.hpp"

namespace proxy {

// What the threads share: the only cross-thread state in the proxy.
struct shared_state {
  std::uint16_t port = 0;  // resolved listen port (never 0 here)
  unsigned threads = 1;
  std::size_t pipes_per_thread = 2;
  std::atomic<std::size_t> active{0};      // live sessions, for --max-conns
  std::atomic<unsigned> listening{0};      // threads whose listener is up
  std::atomic<bool> accept_failed{false};  // a listener broke: exit non-zero
  std::mutex totals_mutex;                 // guards the totals, written once per thread at exit
  counters totals;
  coring::runtime_stats runtime_totals;
  // --metrics-port: each thread's counters, published once a second for the endpoint.
  std::vector<std::unique_ptr<published_thread>> published;
  std::atomic<int> metrics_port{-1};  // bound by thread 0 before it counts as listening
};

coring::task<void> serve(const options* opts, shared_state* shared, unsigned index);

}  // namespace proxy
