#include "apps/proxy/session.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "apps/proxy/copy_pump.hpp"
#include "apps/proxy/flow.hpp"
#include "apps/proxy/splice_pump.hpp"
#include "core/io.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "core/when_any.hpp"

namespace proxy {

using coring::descriptor;
using coring::io_result;
using coring::task;

namespace {

task<void> close_quietly(descriptor d) { (void)co_await coring::close(d); }

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// A connected upstream socket (plain fd), or -errno once every upstream failed.
task<int> connect_upstream(session_context* ctx) {
  const int type = SOCK_STREAM | SOCK_CLOEXEC | (ctx->nonblocking_sockets ? SOCK_NONBLOCK : 0);
  int error = ECONNREFUSED;
  for (std::size_t attempt = 0; attempt < ctx->targets.size(); ++attempt) {
    const std::size_t index = ctx->targets.pick();
    const coring::socket_address& address = ctx->targets.address(index);
    const int fd = ::socket(address.family(), type, 0);
    if (fd < 0) co_return -errno;  // out of fds: no point trying another upstream
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // LIFETIME: `address` lives in ctx->targets, which outlives every session of the thread.
    io_result r = co_await coring::connect(descriptor{fd, false}, address.get(), address.length)
                      .deadline(ctx->opts->connect_timeout);
    if (r) {
      ctx->targets.mark_ok(index);
      co_return fd;
    }
    ++ctx->stats.connect_failures;
    ctx->targets.mark_failed(index);
    co_await close_descriptor(descriptor{fd, false});
    error = r.error();
    if (error == ECANCELED) break;  // shutting down
  }
  co_return -error;
}

// Ends when neither direction has moved a byte for about `idle` (checked every idle/4).
task<void> watchdog(const flow* f, std::chrono::nanoseconds idle, bool* fired) {
  constexpr int ticks = 4;
  std::uint64_t seen = f->activity;
  int quiet = 0;
  while (quiet < ticks) {
    const io_result slept = co_await coring::sleep_for(idle / ticks);
    if (!slept) co_return;  // cancelled: the pumps finished first
    if (f->activity != seen) {
      seen = f->activity;
      quiet = 0;
    } else {
      ++quiet;
    }
  }
  *fired = true;
}

// Ends when a direction has held bytes that its destination took none of for about
// `limit` (checked every limit/4, so between limit and 1.25 × limit): a peer that stops
// reading. A direction with nothing to deliver is idle, not stalled (watchdog above).
task<void> stall_watchdog(const direction* dirs, std::chrono::nanoseconds limit, bool* fired) {
  constexpr int ticks = 4;
  std::uint64_t written[2] = {dirs[0].written, dirs[1].written};
  bool held[2] = {dirs[0].holding > 0, dirs[1].holding > 0};
  int quiet[2] = {0, 0};
  for (;;) {
    const io_result slept = co_await coring::sleep_for(limit / ticks);
    if (!slept) co_return;  // cancelled: the session ended first
    for (int i = 0; i < 2; ++i) {
      const bool stuck = held[i] && dirs[i].holding > 0 && dirs[i].written == written[i];
      quiet[i] = stuck ? quiet[i] + 1 : 0;
      written[i] = dirs[i].written;
      held[i] = dirs[i].holding > 0;
      if (quiet[i] >= ticks) {
        *fired = true;
        co_return;
      }
    }
  }
}

task<void> both_ways(task<void> up, task<void> down) {
  co_await coring::when_all(std::move(up), std::move(down));
}

// Returns a pipe to the pool only if it is provably empty: bytes left over from an
// aborted session must never reach another session's stream.
void give_back(pipe_pool& pool, pipe_pair p, std::size_t in_pipe) {
  int queued = 0;
  const bool drained = in_pipe == 0 && ::ioctl(p.read, FIONREAD, &queued) == 0 && queued == 0;
  pool.release(p, drained);
}

}  // namespace

task<void> close_descriptor(descriptor d) { co_await close_quietly(d).under(nullptr); }

task<void> run_session(session_context* ctx, descriptor client) {
  const options& o = *ctx->opts;
  // Child of the thread's sessions_stop: a reset, idle expiry or the shutdown bound
  // stops everything this session has in flight.
  coring::stop_source abort(&ctx->sessions_stop);
  if (ctx->nonblocking_sockets) set_nonblocking(client.index);

  const int upstream_fd = co_await connect_upstream(ctx).under(&abort);
  if (upstream_fd < 0) {
    ++ctx->stats.unreachable;
    co_await close_descriptor(client);
  } else {
    ++ctx->stats.sessions;
    const descriptor upstream{upstream_fd, false};
    pipe_pair pipes[2];
    bool spliced = o.mode == pump_mode::splice;
    if (spliced && !ctx->pipes.acquire(pipes[0])) {
      spliced = false;
    } else if (spliced && !ctx->pipes.acquire(pipes[1])) {
      ctx->pipes.release(pipes[0], true);
      spliced = false;
    }
    if (!spliced && o.mode == pump_mode::splice) ++ctx->stats.copy_fallbacks;

    flow f{&abort, &ctx->stats};
    direction dirs[2];  // [0]: client -> upstream, [1]: upstream -> client
    task<void> up;      // client -> upstream
    task<void> down;    // upstream -> client
    if (spliced && o.engine == splice_engine::uring) {
      up = splice_uring(client, upstream, pipes[0], o.pipe_size, &f, &dirs[0]);
      down = splice_uring(upstream, client, pipes[1], o.pipe_size, &f, &dirs[1]);
    } else if (spliced) {
      up =
          splice_poll(client.index, upstream_fd, pipes[0], o.pipe_size, &ctx->pushes, &f, &dirs[0]);
      down =
          splice_poll(upstream_fd, client.index, pipes[1], o.pipe_size, &ctx->pushes, &f, &dirs[1]);
    } else {
      up = copy_pump(client, upstream, o.buffer, &f, &dirs[0]);
      down = copy_pump(upstream, client, o.buffer, &f, &dirs[1]);
    }
    bool idle = false;
    bool stalled = false;
    co_await coring::when_any(both_ways(std::move(up), std::move(down)),
                              watchdog(&f, o.idle_timeout, &idle),
                              stall_watchdog(dirs, o.send_timeout, &stalled))
        .under(&abort);
    if (idle) ++ctx->stats.idle_closed;
    if (stalled) ++ctx->stats.stalled_closed;

    co_await close_descriptor(client);
    co_await close_descriptor(upstream);
    if (spliced) {
      give_back(ctx->pipes, pipes[0], dirs[0].holding);
      give_back(ctx->pipes, pipes[1], dirs[1].holding);
    }
  }
  ctx->active->fetch_sub(1, std::memory_order_relaxed);
  ctx->sessions.done();
}

}  // namespace proxy
