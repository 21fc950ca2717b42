#include "apps/proxy/session.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "apps/proxy/auto_pump.hpp"
#include "apps/proxy/copy_pump.hpp"
#include "apps/proxy/flow.hpp"
#include "apps/proxy/splice_pump.hpp"
#include "apps/proxy/watchdog.hpp"
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

namespace {

// Splice mode takes a pipe per direction for the whole session; false (counted as a
// copy fallback) when the pool has not two left.
bool acquire_pipes(session_context* ctx, pipe_pair (&pipes)[2]) {
  if (ctx->opts->mode != pump_mode::splice) return false;
  if (ctx->pipes.acquire(pipes[0])) {
    if (ctx->pipes.acquire(pipes[1])) return true;
    ctx->pipes.release(pipes[0], true);
  }
  ++ctx->stats.copy_fallbacks;
  return false;
}

struct pump_pair {
  task<void> up;    // client -> upstream
  task<void> down;  // upstream -> client
};

pump_pair make_pumps(session_context* ctx, descriptor client, int upstream_fd,
                     const pipe_pair* pipes, std::size_t* in_pipe, flow* up, flow* down) {
  const options& o = *ctx->opts;
  const descriptor upstream{upstream_fd, false};
  if (pipes != nullptr && o.engine == splice_engine::uring) {
    return {splice_uring(client, upstream, pipes[0], o.pipe_size, up, &in_pipe[0]),
            splice_uring(upstream, client, pipes[1], o.pipe_size, down, &in_pipe[1])};
  }
  if (pipes != nullptr) {
    return {
        splice_poll(client.index, upstream_fd, pipes[0], o.pipe_size, &ctx->cork, up, &in_pipe[0]),
        splice_poll(upstream_fd, client.index, pipes[1], o.pipe_size, &ctx->cork, down,
                    &in_pipe[1])};
  }
  if (o.mode == pump_mode::automatic) {
    return {auto_pump(client.index, upstream_fd, &ctx->plumbing, up),
            auto_pump(upstream_fd, client.index, &ctx->plumbing, down)};
  }
  return {copy_pump(client, upstream, o.buffer, up), copy_pump(upstream, client, o.buffer, down)};
}

}  // namespace

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
    pipe_pair pipes[2];
    const bool spliced = acquire_pipes(ctx, pipes);
    std::uint64_t sequence = 0;
    flow to_upstream{&abort, &ctx->stats, &sequence};
    flow to_client{&abort, &ctx->stats, &sequence};
    std::size_t in_pipe[2] = {0, 0};
    pump_pair pumps = make_pumps(ctx, client, upstream_fd, spliced ? pipes : nullptr, in_pipe,
                                 &to_upstream, &to_client);
    session_watch watch{&to_upstream, &to_client, in_pipe, &ctx->draining, o.idle_timeout};
    bool stalled = false;
    co_await coring::when_any(both_ways(std::move(pumps.up), std::move(pumps.down)),
                              watchdog(&watch), stall_watchdog(&watch, o.send_timeout, &stalled))
        .under(&abort);
    if (stalled) ++ctx->stats.stalled_closed;
    if (watch.idle_expired) ++ctx->stats.idle_closed;
    if (watch.closed_for_shutdown) ++ctx->stats.closed_idle_at_shutdown;

    co_await close_descriptor(client);
    co_await close_descriptor(descriptor{upstream_fd, false});
    if (spliced) {
      give_back(ctx->pipes, pipes[0], in_pipe[0]);
      give_back(ctx->pipes, pipes[1], in_pipe[1]);
    }
  }
  ctx->active->fetch_sub(1, std::memory_order_relaxed);
  ctx->sessions.done();
}

}  // namespace proxy
