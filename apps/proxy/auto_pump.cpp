#include "apps/proxy/auto_pump.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <memory>

#include "apps/proxy/splice_pump.hpp"
#include "core/io.hpp"

namespace proxy {

using coring::descriptor;
using coring::io_result;

namespace {

enum class burst_end { drained, eof, failed };

// Sends all `size` bytes through io_uring, where a small send leaves with the turn's
// other submissions. With `at_once` (a bulky burst, whose splices must follow these
// bytes) it first sends straight from this thread, and only what the socket did not
// take goes through io_uring.
coring::task<bool> send_all(int to, const char* data, std::size_t size, bool at_once, flow* f) {
  std::size_t sent = 0;
  if (at_once) {
    const ssize_t now = ::send(to, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (now < 0 && errno != EAGAIN) {
      f->fail();
      co_return false;
    }
    sent = now > 0 ? static_cast<std::size_t>(now) : 0;
  }
  while (sent < size) {
    const io_result m = co_await coring::send(descriptor{to, false}, data + sent, size - sent);
    if (m.value <= 0) {
      f->fail();
      co_return false;
    }
    sent += static_cast<std::size_t>(m.value);
  }
  co_return true;
}

// Splices what `from` holds into `to` until the socket is drained (or EOF, or an error).
coring::task<burst_end> splice_burst(int from, int to, pipe_pair pipe, const auto_plumbing* p,
                                     flow* f, std::size_t* in_pipe) {
  constexpr unsigned flags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;
  for (;;) {
    const ssize_t n = ::splice(from, nullptr, pipe.write, nullptr, p->chunk, flags);
    if (n == 0) co_return burst_end::eof;
    if (n < 0) {
      if (errno == EAGAIN) co_return burst_end::drained;
      f->fail();
      co_return burst_end::failed;
    }
    ++f->activity;
    *in_pipe = static_cast<std::size_t>(n);
    const bool out = co_await splice_out(pipe, to, in_pipe, p->pushes, f);
    if (!out) co_return burst_end::failed;
    f->stats->spliced_bytes += static_cast<std::size_t>(n);
    // A short read has very likely drained the socket: back to the copy path, whose
    // receive waits for the next bytes without a splice(2) that would find none.
    if (static_cast<std::size_t>(n) < p->chunk) co_return burst_end::drained;
  }
}

// The rest of a bulky burst, spliced through a pipe of the pool (copied on if none).
coring::task<burst_end> splice_the_rest(int from, int to, const auto_plumbing* p, flow* f) {
  pipe_pair pipe;
  if (!p->pipes->acquire(pipe)) {
    ++f->stats->copy_fallbacks;
    co_return burst_end::drained;
  }
  ++f->stats->switches_to_splice;
  std::size_t in_pipe = 0;
  const burst_end end = co_await splice_burst(from, to, pipe, p, f, &in_pipe);
  // Bytes left in the pipe (a failed splice out) must never reach another session.
  p->pipes->release(pipe, in_pipe == 0);
  if (end == burst_end::drained) ++f->stats->switches_to_copy;
  co_return end;
}

}  // namespace

coring::task<void> auto_pump(int from, int to, const auto_plumbing* p, flow* f) {
  // LIFETIME: owned by this frame, which awaits every receive and send on it to its CQE.
  std::unique_ptr<char[]> buffer(new char[p->bulk]);
  for (;;) {
    auto receive = coring::recv(descriptor{from, false}, buffer.get(), p->bulk);
    const io_result n = co_await receive;
    if (n.value < 0) {
      f->fail();
      co_return;
    }
    burst_end end = n.value == 0 ? burst_end::eof : burst_end::drained;
    if (n.value > 0) {
      const auto size = static_cast<std::size_t>(n.value);
      ++f->activity;
      f->stats->user_space_bytes += size;
      const bool bulky = size == p->bulk && (receive.cqe_flags() & IORING_CQE_F_SOCK_NONEMPTY);
      const bool sent = co_await send_all(to, buffer.get(), size, bulky, f);
      if (!sent) co_return;
      if (bulky) end = co_await splice_the_rest(from, to, p, f);
    }
    if (end == burst_end::failed) co_return;
    if (end == burst_end::eof) {
      co_await coring::shutdown(descriptor{to, false}, SHUT_WR);
      co_return;
    }
  }
}

}  // namespace proxy
