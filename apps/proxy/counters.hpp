#pragma once
// counters: what one thread's proxy did, summed over threads and printed by --stats.

#include <cstdint>
#include <cstdio>

namespace proxy {

struct counters {
  std::uint64_t sessions = 0;            // clients paired with an upstream
  std::uint64_t spliced_bytes = 0;       // moved socket -> pipe -> socket in the kernel
  std::uint64_t user_space_bytes = 0;    // copied: received into a user-space buffer
  std::uint64_t copy_fallbacks = 0;      // splice sessions (auto: bursts) copied, the pool empty
  std::uint64_t switches_to_splice = 0;  // auto: bulky bursts spliced
  std::uint64_t switches_to_copy = 0;    // auto: back to copying after a small spliced burst
  std::uint64_t held_pushes = 0;         // splices held under load, then pushed (turn_cork.hpp)
  std::uint64_t connect_failures = 0;    // upstream connects refused / timed out
  std::uint64_t unreachable = 0;         // clients closed because no upstream answered
  std::uint64_t rejected = 0;            // clients closed at once by --max-conns
  std::uint64_t idle_closed = 0;         // sessions closed by --idle-timeout
  std::uint64_t stalled_closed = 0;      // sessions closed by --send-timeout (a peer not reading)
  std::uint64_t aborted = 0;             // sessions ended by a reset or an error
  std::uint64_t closed_idle_at_shutdown = 0;  // idle sessions ended at once by SIGTERM

  counters& operator+=(const counters& o) noexcept {
    sessions += o.sessions;
    spliced_bytes += o.spliced_bytes;
    user_space_bytes += o.user_space_bytes;
    copy_fallbacks += o.copy_fallbacks;
    switches_to_splice += o.switches_to_splice;
    switches_to_copy += o.switches_to_copy;
    held_pushes += o.held_pushes;
    connect_failures += o.connect_failures;
    unreachable += o.unreachable;
    rejected += o.rejected;
    idle_closed += o.idle_closed;
    stalled_closed += o.stalled_closed;
    aborted += o.aborted;
    closed_idle_at_shutdown += o.closed_idle_at_shutdown;
    return *this;
  }

  void print(std::FILE* out) const {
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    std::fprintf(
        out,
        "proxy: sessions=%llu spliced_bytes=%llu user_space_bytes=%llu "
        "copy_fallbacks=%llu switches_to_splice=%llu switches_to_copy=%llu held_pushes=%llu "
        "connect_failures=%llu unreachable=%llu rejected=%llu idle_closed=%llu "
        "stalled_closed=%llu aborted=%llu "
        "closed_idle_at_shutdown=%llu\n",
        u(sessions), u(spliced_bytes), u(user_space_bytes), u(copy_fallbacks),
        u(switches_to_splice), u(switches_to_copy), u(held_pushes), u(connect_failures),
        u(unreachable), u(rejected), u(idle_closed), u(stalled_closed), u(aborted),
        u(closed_idle_at_shutdown));
  }
};

}  // namespace proxy
