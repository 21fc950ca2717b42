#pragma once
// published: a copy of one thread's counters that another thread may read (a metrics
// scrape). The counters themselves stay plain fields the owning thread bumps; it
// publishes them here now and then (relaxed stores: plain moves, no lock prefix), and
// a reader sums the published copies of every thread. Counters is a struct of
// std::uint64_t fields only (runtime_stats, the proxy's counters).

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "core/stats.hpp"

namespace coring {

template <class Counters>
class published {
 public:
  static constexpr std::size_t field_count = sizeof(Counters) / sizeof(std::uint64_t);
  using fields = std::array<std::uint64_t, field_count>;
  static_assert(sizeof(Counters) == sizeof(fields), "only std::uint64_t fields");

  // On the owning thread.
  void publish(const Counters& s) noexcept {
    const fields values = std::bit_cast<fields>(s);
    for (std::size_t i = 0; i < field_count; ++i)
      values_[i].store(values[i], std::memory_order_relaxed);
  }
  // On any thread.
  Counters read() const noexcept {
    fields values{};
    for (std::size_t i = 0; i < field_count; ++i)
      values[i] = values_[i].load(std::memory_order_relaxed);
    return std::bit_cast<Counters>(values);
  }

 private:
  std::array<std::atomic<std::uint64_t>, field_count> values_{};
};

using published_stats = published<runtime_stats>;

// The names of runtime_stats' fields in declaration order (as --stats prints them).
const std::array<const char*, published_stats::field_count>& runtime_stats_names() noexcept;

}  // namespace coring
