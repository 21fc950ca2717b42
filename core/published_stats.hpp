#pragma once
// published_stats: a copy of one runtime's counters that another thread may read
// (a metrics scrape). The runtime's own runtime_stats are plain fields its loop bumps;
// its thread publishes them here now and then (relaxed stores: plain moves, no lock
// prefix), and a reader sums the published copies of every thread.

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "core/stats.hpp"

namespace coring {

class published_stats {
 public:
  static constexpr std::size_t field_count = sizeof(runtime_stats) / sizeof(std::uint64_t);
  using fields = std::array<std::uint64_t, field_count>;

  // On the runtime's thread.
  void publish(const runtime_stats& s) noexcept {
    const fields values = std::bit_cast<fields>(s);
    for (std::size_t i = 0; i < field_count; ++i)
      values_[i].store(values[i], std::memory_order_relaxed);
  }
  // On any thread.
  runtime_stats read() const noexcept {
    fields values{};
    for (std::size_t i = 0; i < field_count; ++i)
      values[i] = values_[i].load(std::memory_order_relaxed);
    return std::bit_cast<runtime_stats>(values);
  }

 private:
  std::array<std::atomic<std::uint64_t>, field_count> values_{};
};

// The names of runtime_stats' fields in declaration order (as --stats prints them).
const std::array<const char*, published_stats::field_count>& runtime_stats_names() noexcept;

}  // namespace coring
