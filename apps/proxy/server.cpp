#include "apps/proxy/server.hpp"

#include <cstring>
#include <optional>

#include "apps/proxy/session.hpp"
#include "core/accept_loop.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "http/server.hpp"

namespace proxy {

using coring::task;

namespace {

void stop_listener(void* l) noexcept { static_cast<coring::listener*>(l)->stop(); }

// Once a second, closes the pipes no session needed since the last tick, and
// publishes the thread's counters for --metrics-port.
task<void> every_second(session_context* ctx, published_thread* out) {
  for (;;) {
    ctx->stats.held_pushes = ctx->cork.pushes();
    out->proxy.publish(ctx->stats);
    out->ring.publish(coring::runtime::current().stats());
    const coring::io_result slept = co_await coring::sleep_for(std::chrono::seconds(1));
    if (!slept) co_return;  // stopped: the thread is done
    ctx->pipes.trim();
  }
}

// --metrics-port, on thread 0: an HTTP server beside the proxy; it stops at shutdown.
task<void> serve_metrics(shared_state* shared, unsigned index) {
  if (index != 0 || !shared->metrics) co_return;
  metrics_endpoint endpoint(shared->published, shared->active);
  coring::http::server_limits limits;
  limits.drain_timeout = std::chrono::seconds(1);
  coring::http::server server(endpoint, limits);
  co_await server.serve(*shared->metrics);
}

void start_session(const options* opts, shared_state* shared, session_context* ctx,
                   coring::descriptor client) {
  coring::runtime& rt = coring::runtime::current();
  if (opts->max_conns != 0 && shared->active.load(std::memory_order_relaxed) >= opts->max_conns) {
    ++ctx->stats.rejected;
    rt.spawn(close_descriptor(client));  // closed at once; the loop goes on accepting
    return;
  }
  shared->active.fetch_add(1, std::memory_order_relaxed);
  ctx->sessions.add();
  rt.spawn(run_session(ctx, client));
}

// Accepts and runs sessions until shutdown (or a broken listener), lets them finish
// within --drain-timeout, then stops `then_stop`.
task<void> accept_sessions(const options* opts, shared_state* shared,
                           coring::serving_thread* thread, session_context* ctx,
                           coring::stop_source* then_stop) {
  coring::runtime& rt = coring::runtime::current();
  coring::listener& listener = thread->accepting();
  coring::stop_callback on_shutdown(&stop_listener, &listener);
  if (!rt.shutdown_source().add(&on_shutdown)) listener.stop();

  const int broken = co_await coring::accept_each(
      listener, [=](coring::descriptor client) { start_session(opts, shared, ctx, client); });
  if (broken != 0) {
    thread->fail(std::string("accept failed: ") + std::strerror(broken) +
                 "; sessions drained before exiting");
  }
  rt.shutdown_source().remove(&on_shutdown);
  ctx->draining.request_stop();  // idle sessions end now, busy ones when they are idle
  co_await coring::drain_connections(ctx->sessions, ctx->sessions_stop, opts->drain_timeout);
  then_stop->request_stop();
}

}  // namespace

void open_metrics_listener(const options& opts, shared_state& shared) {
  coring::listen_options lo;
  lo.reuse_port = false;  // one listener, and a port already taken is an error
  lo.direct_descriptors = false;
  shared.metrics.emplace(coring::socket_address::parse(opts.launch.host, *opts.metrics_port), lo);
}

task<void> serve(const options* opts, shared_state* shared, coring::serving_thread& thread) {
  session_context ctx(opts, thread.index(), shared->pipes_per_thread, &shared->active);
  if (ctx.nonblocking_sockets && opts->push_batching) {  // this thread calls splice(2)
    const bool supported = co_await turn_cork::kernel_supports_it();
    ctx.cork = turn_cork(supported);
  }
  coring::stop_source trimmer;
  co_await coring::when_all(
      accept_sessions(opts, shared, &thread, &ctx, &trimmer),
      every_second(&ctx, shared->published[thread.index()].get()).under(&trimmer),
      serve_metrics(shared, thread.index()));

  ctx.stats.held_pushes = ctx.cork.pushes();
  std::lock_guard lock(shared->totals_mutex);
  shared->totals += ctx.stats;
}

}  // namespace proxy
