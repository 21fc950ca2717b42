#pragma once
// metrics: what every HTTP app exports on GET /metrics (Prometheus text format 0.0.4).
//
// One block of counters per thread, written only by that thread (owned_counter: a
// relaxed load and store, plain moves, no lock prefix) and summed at scrape time.
// Exported, each name prefixed with the app's name (kv_, hello_, ...):
//   _requests_total{method,status}   counter; every answer, including the ones the HTTP
//                                    layer sends before a handler (400, 408, 413, 414,
//                                    431, 501, 505)
//   _request_duration_seconds        histogram of handler time (parsed → response written)
//   _requests_in_flight              gauge (inside a handler right now)
//   _connections_open                gauge;  _connections_total counter
//   _received_bytes_total, _sent_bytes_total   counters (socket bytes)
//   _runtime_<counter>_total         the ring counters --stats prints (published by each
//                                    thread about once a second; the scraping thread's own
//                                    are current)

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/published_stats.hpp"
#include "http/request.hpp"

namespace coring::http {

// A counter written by one thread only: no atomic read-modify-write needed.
class owned_counter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(std::uint64_t n = 1) noexcept {
    v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// The method of a request the parser rejected, read from its first bytes ("other" when
// the request line did not get that far or names no known method).
http::method method_of_raw_request(std::string_view bytes) noexcept;

class thread_metrics {
 public:
  static constexpr std::size_t method_count = 10;   // http::method's values
  static constexpr std::size_t status_slots = 501;  // 100..599, then "other"
  static constexpr std::size_t bucket_count = 11;   // 10 bounds + +Inf

  void answered(http::method m, int status) noexcept {
    const std::size_t slot =
        status >= 100 && status <= 599 ? static_cast<std::size_t>(status - 100) : 500;
    requests_[static_cast<std::size_t>(m) * status_slots + slot].add();
  }
  // A request a handler ran for, `cycles` (core/cycle_clock.hpp) long.
  void handled(std::uint64_t cycles) noexcept;

  owned_counter in_flight;
  owned_counter connections_opened;
  owned_counter connections_closed;
  owned_counter bytes_received;
  owned_counter bytes_sent;
  published_stats ring;

 private:
  friend class metrics;
  const std::uint64_t* bound_cycles_ = nullptr;  // the registry's, bucket_count - 1 bounds
  std::array<owned_counter, method_count * status_slots> requests_;
  std::array<owned_counter, bucket_count> buckets_;  // not cumulative here
  owned_counter handler_cycles_;
};

class metrics {
 public:
  // prefix: the app's name, e.g. "kv" → kv_requests_total.
  metrics(std::string prefix, unsigned threads);

  thread_metrics& thread(unsigned index) noexcept { return *threads_[index]; }
  // The whole exposition, written into `out` (cleared first).
  void render(std::string& out) const;
  // App-specific samples appended after the common ones (e.g. kv's key count). Set
  // before the threads start; called on the scraping thread.
  std::function<void(std::string& out)> extra;

 private:
  void render_requests(std::string& out) const;
  void render_histogram(std::string& out) const;
  void render_connections(std::string& out) const;
  void render_runtime(std::string& out) const;
  std::uint64_t sum(owned_counter thread_metrics::*field) const noexcept;

  std::string prefix_;
  std::vector<std::unique_ptr<thread_metrics>> threads_;
  std::array<std::uint64_t, thread_metrics::bucket_count - 1> bound_cycles_{};
};

// Appends one sample line "name value\n" (integer value), with HELP and TYPE lines.
void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, std::uint64_t value);
// Appends the ring counters as <prefix>_runtime_<counter>_total.
void append_runtime_metrics(std::string& out, std::string_view prefix, const runtime_stats& s);

}  // namespace coring::http
