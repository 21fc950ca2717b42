#pragma once
// watchdog: runs beside a session's two pumps and ends — which ends the session —
//   - when neither direction has moved a byte for about --idle-timeout; or
//   - once the thread is shutting down (draining), as soon as the session is idle:
//     no byte in hand (pipes empty, copy buffers sent), the last bytes moved went
//     downstream (an answer followed the last request), and nothing moved for one
//     drain tick (20 ms). A session in mid-transfer — a request on its way, an answer
//     still streaming — goes on until it is idle or --drain-timeout stops it.

#include <chrono>
#include <cstddef>

#include "apps/proxy/flow.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"

namespace proxy {

struct session_watch {
  const flow* up;                    // client → upstream
  const flow* down;                  // upstream → client
  const std::size_t* in_pipe;        // [2] splice mode: bytes in each direction's pipe
  coring::stop_source* draining;     // the thread's: requested when shutdown begins
  std::chrono::nanoseconds idle;     // --idle-timeout
  bool idle_expired = false;         // out: ended by --idle-timeout
  bool closed_for_shutdown = false;  // out: ended idle while draining
};

coring::task<void> watchdog(session_watch* w);

// Ends when a direction has held bytes that its destination took none of for about
// `limit` (checked every limit/4, so between limit and 1.25 × limit): a peer that stops
// reading. A direction with nothing to deliver is idle, not stalled (watchdog above).
coring::task<void> stall_watchdog(const session_watch* w, std::chrono::nanoseconds limit,
                                  bool* fired);

}  // namespace proxy
