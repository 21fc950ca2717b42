#include "apps/proxy/watchdog.hpp"

#include "core/join.hpp"
#include "core/time.hpp"

namespace proxy {
namespace {

using coring::io_result;
using coring::task;

constexpr auto drain_tick = std::chrono::milliseconds(20);

task<io_result> nap(std::chrono::nanoseconds d) { co_return co_await coring::sleep_for(d); }

std::uint64_t moves(const session_watch* w) noexcept { return w->up->activity + w->down->activity; }

bool nothing_in_flight(const session_watch* w) noexcept {
  return w->in_pipe[0] == 0 && w->in_pipe[1] == 0 && w->up->in_hand == 0 && w->down->in_hand == 0 &&
         w->down->last_moved >= w->up->last_moved;
}

void wake(void* nap_source) noexcept {
  static_cast<coring::stop_source*>(nap_source)->request_stop();
}

// Until the session has been quiet for about w->idle (true), or draining began (false).
// Returns nullopt-like -1 when the watchdog itself was stopped (the pumps ended).
task<int> watch_idle(session_watch* w, coring::stop_source* mine) {
  coring::stop_source naps(mine);  // stopped by the session's end, or by draining
  coring::stop_callback on_drain(&wake, &naps);
  if (!w->draining->add(&on_drain)) co_return 0;
  constexpr int ticks = 4;
  std::uint64_t seen = moves(w);
  int quiet = 0;
  int result = 1;
  while (quiet < ticks) {
    const io_result slept = co_await nap(w->idle / ticks).under(&naps);
    if (!slept) {
      result = mine->stop_requested() ? -1 : 0;
      break;
    }
    quiet = moves(w) == seen ? quiet + 1 : 0;
    seen = moves(w);
  }
  if (!w->draining->stop_requested()) w->draining->remove(&on_drain);
  co_return result;
}

}  // namespace

task<void> watchdog(session_watch* w) {
  coring::stop_source* mine = co_await coring::detail::current_stop{};
  const int idle = co_await watch_idle(w, mine);
  if (idle < 0) co_return;  // the pumps finished first
  if (idle > 0) {
    w->idle_expired = true;
    co_return;
  }
  // Draining: end the session at its first idle moment.
  std::uint64_t seen = moves(w);
  for (;;) {
    const io_result slept = co_await coring::sleep_for(drain_tick);
    if (!slept) co_return;
    const std::uint64_t now = moves(w);
    if (now == seen && nothing_in_flight(w)) break;
    seen = now;
  }
  w->closed_for_shutdown = true;
}

namespace {

// Bytes direction i (0: client → upstream, 1: upstream → client) has taken in and not yet
// delivered: in its pipe, or in its copy buffer.
std::size_t holding(const session_watch* w, int i) {
  return w->in_pipe[i] + (i == 0 ? w->up : w->down)->in_hand;
}

std::uint64_t written(const session_watch* w, int i) { return (i == 0 ? w->up : w->down)->written; }

}  // namespace

coring::task<void> stall_watchdog(const session_watch* w, std::chrono::nanoseconds limit,
                                  bool* fired) {
  constexpr int ticks = 4;
  std::uint64_t seen[2] = {written(w, 0), written(w, 1)};
  bool held[2] = {holding(w, 0) > 0, holding(w, 1) > 0};
  int quiet[2] = {0, 0};
  for (;;) {
    const coring::io_result slept = co_await coring::sleep_for(limit / ticks);
    if (!slept) co_return;  // cancelled: the session ended first
    for (int i = 0; i < 2; ++i) {
      const bool stuck = held[i] && holding(w, i) > 0 && written(w, i) == seen[i];
      quiet[i] = stuck ? quiet[i] + 1 : 0;
      seen[i] = written(w, i);
      held[i] = holding(w, i) > 0;
      if (quiet[i] >= ticks) {
        *fired = true;
        co_return;
      }
    }
  }
}

}  // namespace proxy
