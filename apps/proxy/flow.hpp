#pragma once
// flow: what the two pumps of one session share with it and with each other.

#include <cstddef>
#include <cstdint>

#include "apps/proxy/counters.hpp"
#include "core/stop.hpp"

namespace proxy {

// One direction of a session, as its pump reports it: bytes it read and has not yet
// written (in the pipe, or in the copy buffer), and bytes written out so far. The stall
// watchdog reads both.
struct direction {
  std::size_t holding = 0;
  std::uint64_t written = 0;
};

struct flow {
  coring::stop_source* abort;  // stops both directions and the idle watchdog
  counters* stats;
  std::uint64_t activity = 0;  // bumped per chunk moved; the idle watchdog watches it
  bool failed = false;

  // A reset or an error on either side: the whole session ends now, both sockets
  // are closed, so the other peer learns promptly.
  void fail() noexcept {
    if (!failed && !abort->stop_requested()) ++stats->aborted;
    failed = true;
    abort->request_stop();
  }
};

}  // namespace proxy
