#pragma once
// metrics: request counters and a latency histogram per thread, summed into
// Prometheus text format (version 0.0.4) on GET /metrics.
//
// Each thread writes only its own block (a relaxed load + store, no lock prefix); the
// scrape reads every block with relaxed loads. Exported:
//   kv_requests_total{method,status}    counter
//   kv_request_duration_seconds         histogram (handler time: parse done → response written)
//   kv_requests_in_flight               gauge (requests inside a handler right now)
//   kv_keys                             gauge (live keys, expired-but-unswept included)
//   kv_expired_keys_total               counter (entries removed by TTL, lazily or by sweep)

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/request.hpp"

namespace kv {

class store;

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

class metrics {
 public:
  static constexpr std::size_t method_count = 5;   // GET HEAD POST DELETE other
  static constexpr std::size_t status_count = 8;   // 200 204 400 404 405 413 507 other
  static constexpr std::size_t bucket_count = 11;  // 10 bounds + +Inf

  struct alignas(64) thread_block {
    std::array<owned_counter, method_count * status_count> requests;
    std::array<owned_counter, bucket_count> buckets;  // not cumulative here
    owned_counter latency_cycles;
    owned_counter in_flight;
  };

  explicit metrics(unsigned threads);

  thread_block& block(unsigned thread) noexcept { return *blocks_[thread]; }
  // Records one finished request on `b`.
  void record(thread_block& b, coring::http::method m, int status,
              std::uint64_t cycles) const noexcept;

  // The whole exposition, written into `out`.
  void render(std::string& out, const store& s) const;

 private:
  std::vector<std::unique_ptr<thread_block>> blocks_;
  std::array<std::uint64_t, bucket_count - 1> bound_cycles_;  // upper bounds in cycle_now() ticks
};

}  // namespace kv
