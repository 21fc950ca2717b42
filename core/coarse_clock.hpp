#pragma once
// coarse_now_ms: a millisecond clock cheap enough to read per request.
//
// CLOCK_MONOTONIC_COARSE is served from the vDSO (a few ns, no system call) and is
// as precise as the scheduler tick (1-4 ms), which is plenty for timeouts counted in
// seconds and for entry lifetimes.

#include <time.h>

#include <cstdint>

namespace coring {

inline std::int64_t coarse_now_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace coring
