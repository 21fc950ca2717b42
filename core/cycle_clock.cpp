#include "core/cycle_clock.hpp"

#include <thread>

namespace coring {

double cycles_per_ns() {
  static const double rate = [] {
#if defined(__x86_64__) || defined(__i386__)
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const std::uint64_t c0 = cycle_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const std::uint64_t c1 = cycle_now();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count();
    return ns > 0 ? static_cast<double>(c1 - c0) / static_cast<double>(ns) : 1.0;
#else
    return 1.0;
#endif
  }();
  return rate;
}

}  // namespace coring
