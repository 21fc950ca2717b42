#pragma once
// flow: what the two pumps of one session share with it and with each other.

#include <cstdint>

#include "apps/proxy/counters.hpp"
#include "core/stop.hpp"

namespace proxy {

// One direction of a session (each pump has its own; both share abort, stats and the
// session's move sequence).
struct flow {
  coring::stop_source* abort;  // stops both directions and the idle watchdog
  counters* stats;
  std::uint64_t* sequence = nullptr;  // the session's: orders the two directions' moves
  std::uint64_t activity = 0;         // bumped per chunk moved; the idle watchdog watches it
  std::uint64_t last_moved = 0;       // *sequence at this direction's latest chunk
  std::uint64_t written = 0;          // bytes delivered to the destination (stall watchdog)
  std::size_t in_hand = 0;            // copy and auto: bytes taken in, not yet all sent
  bool failed = false;

  // A chunk came in (called by the pumps).
  void moved() noexcept {
    ++activity;
    if (sequence != nullptr) last_moved = ++*sequence;
  }

  // A reset or an error on either side: the whole session ends now, both sockets
  // are closed, so the other peer learns promptly.
  void fail() noexcept {
    if (!failed && !abort->stop_requested()) ++stats->aborted;
    failed = true;
    abort->request_stop();
  }
};

}  // namespace proxy
