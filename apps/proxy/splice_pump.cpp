#include "apps/proxy/splice_pump.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "core/io.hpp"

namespace proxy {

using coring::descriptor;
using coring::io_result;

coring::task<void> splice_uring(descriptor from, descriptor to, pipe_pair pipe, std::size_t chunk,
                                flow* f, direction* d) {
  const descriptor pipe_in{pipe.write, false};
  const descriptor pipe_out{pipe.read, false};
  const unsigned length = static_cast<unsigned>(chunk);
  for (;;) {
    io_result n = co_await coring::splice(from, pipe_in, length, SPLICE_F_MOVE);
    if (n.value == 0) {
      co_await coring::shutdown(to, SHUT_WR);
      co_return;
    }
    if (!n) {
      f->fail();
      co_return;
    }
    ++f->activity;
    d->holding = static_cast<std::size_t>(n.value);
    while (d->holding > 0) {
      io_result m =
          co_await coring::splice(pipe_out, to, static_cast<unsigned>(d->holding), SPLICE_F_MOVE);
      if (m.value <= 0) {
        f->fail();
        co_return;
      }
      d->holding -= static_cast<std::size_t>(m.value);
      d->written += static_cast<std::size_t>(m.value);
    }
    f->stats->spliced_bytes += static_cast<std::size_t>(n.value);
  }
}

coring::task<void> splice_poll(int from, int to, pipe_pair pipe, std::size_t chunk,
                               push_batch* pushes, flow* f, direction* d) {
  constexpr unsigned flags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;
  constexpr std::size_t first_out = 16384;
  // Results of co_await are named before testing them: GCC 12 miscompiles an io_op
  // awaited inside an `if` condition.
  for (;;) {
    const ssize_t n = ::splice(from, nullptr, pipe.write, nullptr, chunk, flags);
    if (n == 0) {
      co_await coring::shutdown(descriptor{to, false}, SHUT_WR);
      co_return;
    }
    if (n < 0) {
      if (errno != EAGAIN) {
        f->fail();
        co_return;
      }
      // POLLERR/POLLHUP complete the poll too; the next splice reports them.
      const io_result ready = co_await coring::poll(descriptor{from, false}, POLLIN);
      if (!ready) {
        f->fail();
        co_return;
      }
      continue;
    }
    ++f->activity;
    d->holding = static_cast<std::size_t>(n);
    // The first splice out of a big chunk moves at most first_out bytes, so the
    // receiver (another CPU) starts on them while we push the rest: on a 64 KiB
    // response this cut 3-5 µs per request. One extra splice(2) per chunk at most.
    std::size_t out = std::min(d->holding, first_out);
    bool held = false;  // the last splice out carried SPLICE_F_MORE: `to` needs a push
    while (d->holding > 0) {
      const bool hold = pushes->should_hold();
      const ssize_t m =
          ::splice(pipe.read, nullptr, to, nullptr, out, hold ? flags | SPLICE_F_MORE : flags);
      if (m > 0) {
        d->holding -= static_cast<std::size_t>(m);
        d->written += static_cast<std::size_t>(m);
        out = d->holding;
        held = hold;
      } else if (m < 0 && errno == EAGAIN) {
        if (held) pushes->push_later(to);  // what TCP holds goes out while we wait
        held = false;
        const io_result ready = co_await coring::poll(descriptor{to, false}, POLLOUT);
        if (!ready) {
          f->fail();
          co_return;
        }
      } else {
        f->fail();
        co_return;
      }
    }
    if (held) pushes->push_later(to);
    f->stats->spliced_bytes += static_cast<std::size_t>(n);
    // A short read means the socket is very likely drained: wait for readiness
    // rather than spend a splice(2) on EAGAIN (a ready socket completes the poll
    // at submission anyway).
    if (static_cast<std::size_t>(n) < chunk) {
      const io_result ready = co_await coring::poll(descriptor{from, false}, POLLIN);
      if (!ready) {
        f->fail();
        co_return;
      }
    }
  }
}

}  // namespace proxy
