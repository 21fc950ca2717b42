#include "apps/proxy/auto_pump.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
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
// other submissions. With `ahead_of_splices` (a bulky burst, whose splices must follow
// these bytes) it first sends straight from this thread, so the splices start at once;
// only what the socket did not take goes through io_uring.
coring::task<bool> send_all(int to, const char* data, std::size_t size, bool ahead_of_splices,
                            flow* f) {
  std::size_t sent = 0;
  if (ahead_of_splices) {
    const ssize_t now = ::send(to, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (now < 0 && errno != EAGAIN) {
      f->fail();
      co_return false;
    }
    sent = now > 0 ? static_cast<std::size_t>(now) : 0;
    f->written += sent;
  }
  while (sent < size) {
    const io_result m = co_await coring::send(descriptor{to, false}, data + sent, size - sent);
    if (m.value <= 0) {
      f->fail();
      co_return false;
    }
    sent += static_cast<std::size_t>(m.value);
    f->written += static_cast<std::size_t>(m.value);
  }
  co_return true;
}

// Splices what `from` holds into `to` until the socket is drained (or EOF, or an error);
// adds the bytes moved to `*spliced`.
coring::task<burst_end> splice_burst(int from, int to, pipe_pair pipe, const auto_plumbing* p,
                                     flow* f, std::size_t* in_pipe, std::size_t* spliced) {
  constexpr unsigned flags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;
  for (;;) {
    const ssize_t n = ::splice(from, nullptr, pipe.write, nullptr, p->chunk, flags);
    if (n == 0) co_return burst_end::eof;
    if (n < 0) {
      if (errno == EAGAIN) co_return burst_end::drained;
      f->fail();
      co_return burst_end::failed;
    }
    f->moved();
    *in_pipe = static_cast<std::size_t>(n);
    f->in_hand = *in_pipe;  // the shutdown watchdog must not end a session mid-burst
    const bool out = co_await splice_out(pipe, to, in_pipe, p->cork, f);
    f->in_hand = 0;
    if (!out) co_return burst_end::failed;
    f->stats->spliced_bytes += static_cast<std::size_t>(n);
    *spliced += static_cast<std::size_t>(n);
    // A short read has very likely drained the socket: wait for the next bytes rather
    // than spend a splice(2) that would find none.
    if (static_cast<std::size_t>(n) < p->chunk) co_return burst_end::drained;
  }
}

// A burst spliced through `pipe` (from the pool, given back after).
coring::task<burst_end> splice_with(int from, int to, pipe_pair pipe, const auto_plumbing* p,
                                    flow* f, std::size_t* spliced) {
  std::size_t in_pipe = 0;
  const burst_end end = co_await splice_burst(from, to, pipe, p, f, &in_pipe, spliced);
  // Bytes left in the pipe (a failed splice out) must never reach another session.
  p->pipes->release(pipe, in_pipe == 0);
  co_return end;
}

// A pipe for a bulky burst; false (counted: the burst is copied on) if the pool is empty.
bool pipe_for_burst(const auto_plumbing* p, flow* f, pipe_pair& pipe) {
  if (p->pipes->acquire(pipe)) return true;
  ++f->stats->copy_fallbacks;
  return false;
}

// A receive filled its `size` bytes and the socket holds more: true if at least
// `bulk` bytes are queued (the rest is worth splicing); otherwise the rest is received
// here, after them in `buffer` (of `capacity`, at least size + bulk), and `size` grows.
bool take_the_rest(int from, char* buffer, std::size_t capacity, std::size_t bulk,
                   std::size_t& size) {
  int queued = 0;
  if (::ioctl(from, FIONREAD, &queued) != 0) return false;
  if (static_cast<std::size_t>(queued) >= bulk) return true;
  // An error shows up again at the next receive; EOF too.
  const ssize_t rest = ::recv(from, buffer + size, capacity - size, MSG_DONTWAIT);
  if (rest > 0) size += static_cast<std::size_t>(rest);
  return false;
}

// One burst on the copy path: received into `buffer` and sent on; a bulky one is
// spliced after its first receive and leaves the direction splicing (`*splicing`).
coring::task<burst_end> copy_burst(int from, int to, char* buffer, std::size_t capacity,
                                   const auto_plumbing* p, flow* f, bool* splicing) {
  auto receive = coring::recv(descriptor{from, false}, buffer, p->receive);
  const io_result n = co_await receive;
  if (n.value < 0) {
    f->fail();
    co_return burst_end::failed;
  }
  if (n.value == 0) co_return burst_end::eof;
  std::size_t size = static_cast<std::size_t>(n.value);
  f->moved();
  const bool more = size == p->receive && (receive.cqe_flags() & IORING_CQE_F_SOCK_NONEMPTY);
  pipe_pair pipe;
  const bool bulky =
      more && take_the_rest(from, buffer, capacity, p->bulk, size) && pipe_for_burst(p, f, pipe);
  f->stats->user_space_bytes += size;
  f->in_hand = size;
  const bool sent = co_await send_all(to, buffer, size, bulky, f);
  f->in_hand = 0;
  if (!sent) {
    if (bulky) p->pipes->release(pipe, true);  // nothing was spliced into it
    co_return burst_end::failed;
  }
  if (!bulky) co_return burst_end::drained;
  ++f->stats->switches_to_splice;
  *splicing = true;
  std::size_t spliced = 0;
  co_return co_await splice_with(from, to, pipe, p, f, &spliced);
}

// One burst on the splice path, from its first byte: the direction's last burst was
// bulky. One that turns out smaller than a copy-path receive (a small message after
// the bulk) sends the direction back to copying (`*splicing`).
coring::task<burst_end> spliced_burst(int from, int to, const auto_plumbing* p, flow* f,
                                      bool* splicing) {
  const bool readable = co_await wait_for(from, POLLIN, f);
  if (!readable) co_return burst_end::failed;
  pipe_pair pipe;
  if (!pipe_for_burst(p, f, pipe)) {
    *splicing = false;  // the pool is empty: copy this burst
    co_return burst_end::drained;
  }
  std::size_t spliced = 0;
  const burst_end end = co_await splice_with(from, to, pipe, p, f, &spliced);
  // (Nothing spliced: a poll that woke early; the next one waits again.)
  if (end == burst_end::drained && spliced > 0 && spliced < p->receive) {
    *splicing = false;
    ++f->stats->switches_to_copy;
  }
  co_return end;
}

}  // namespace

coring::task<void> auto_pump(int from, int to, const auto_plumbing* p, flow* f) {
  // LIFETIME: owned by this frame, which awaits every receive and send on it to its CQE.
  const std::size_t capacity = p->receive + p->bulk;
  std::unique_ptr<char[]> buffer(new char[capacity]);
  bool splicing = false;  // the last burst was bulky: the next one starts spliced
  for (;;) {
    burst_end end = burst_end::drained;
    if (splicing) {
      end = co_await spliced_burst(from, to, p, f, &splicing);
    } else {
      end = co_await copy_burst(from, to, buffer.get(), capacity, p, f, &splicing);
    }
    if (end == burst_end::failed) co_return;
    if (end == burst_end::eof) {
      co_await coring::shutdown(descriptor{to, false}, SHUT_WR);
      co_return;
    }
  }
}

}  // namespace proxy
