#include "apps/proxy/server.hpp"

#include <cstring>

#include "apps/proxy/session.hpp"
#include "core/accept_loop.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"

namespace proxy {

using coring::task;

namespace {

void stop_listener(void* l) noexcept { static_cast<coring::listener*>(l)->stop(); }

// Once a second, closes the pipes no session needed since the last tick.
task<void> trim_pipes(pipe_pool* pipes) {
  for (;;) {
    const coring::io_result slept = co_await coring::sleep_for(std::chrono::seconds(1));
    if (!slept) co_return;  // stopped: the thread is done
    pipes->trim();
  }
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
  co_await coring::drain_connections(ctx->sessions, ctx->sessions_stop, opts->drain_timeout);
  then_stop->request_stop();
}

}  // namespace

task<void> serve(const options* opts, shared_state* shared, coring::serving_thread& thread) {
  session_context ctx(opts, thread.index(), shared->pipes_per_thread, &shared->active);
  if (opts->mode == pump_mode::splice && opts->engine == splice_engine::poll &&
      opts->push_batching) {
    const bool supported = co_await turn_cork::kernel_supports_it();
    ctx.cork = turn_cork(supported);
  }
  coring::stop_source trimmer;
  co_await coring::when_all(accept_sessions(opts, shared, &thread, &ctx, &trimmer),
                            trim_pipes(&ctx.pipes).under(&trimmer));

  ctx.stats.held_pushes = ctx.cork.pushes();
  std::lock_guard lock(shared->totals_mutex);
  shared->totals += ctx.stats;
}

}  // namespace proxy
