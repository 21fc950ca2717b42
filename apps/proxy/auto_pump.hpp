#pragma once
// auto_pump: one direction of a session that copies small transfers and splices bulky
// bursts (--mode auto, the default).
//
// Small payloads are cheapest on the copy path: an io_uring receive into a user-space
// buffer and an io_uring send from it leave with the loop's batched io_uring_enter,
// where splicing costs four splice(2) calls (in, out, and the polls around them).
// Bulk is cheapest spliced: the bytes are never copied through user space. So each
// direction receives through io_uring, `receive` bytes at a time. A receive that
// fills them while the socket still holds more (IORING_CQE_F_SOCK_NONEMPTY, which the
// kernel reports for free) asks how much more (FIONREAD): at least `bulk` bytes make
// the burst bulky — the received bytes are sent at once and the rest of the burst is
// spliced socket -> pipe -> socket on this thread (the poll engine's steps), until a
// splice in comes back short or finds the socket empty; then the direction returns
// to the copy path. Less than `bulk` is received at once behind the first bytes and
// copied with them. A pipe is taken from the thread's pool for the burst only, so
// idle and small sessions hold none; with the pool empty the burst is copied
// (counted as a copy fallback). The thresholds and the measurements behind them are
// in apps/proxy/README.md.
//
// EOF on `from` becomes shutdown(SHUT_WR) on `to`; an error fails the flow.
// Both sockets must be O_NONBLOCK plain fds (splice(2) cannot name a direct one).

#include <cstddef>

#include "apps/proxy/flow.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/turn_cork.hpp"
#include "core/task.hpp"

namespace proxy {

// What a thread's auto pumps share.
struct auto_plumbing {
  pipe_pool* pipes;
  turn_cork* cork;
  std::size_t receive;  // bytes per copy-path receive (--auto-receive)
  std::size_t bulk;     // bytes queued behind a full receive that make a burst bulky (--auto-bulk)
  std::size_t chunk;    // bytes per splice into the pipe (--pipe-size)
};

coring::task<void> auto_pump(int from, int to, const auto_plumbing* plumbing, flow* f);

}  // namespace proxy
