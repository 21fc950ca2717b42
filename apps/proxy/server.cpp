#include "apps/proxy/server.hpp"

#include <cstdio>
#include <cstring>

#include "apps/proxy/session.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/threads.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"

namespace proxy {

using coring::task;

namespace {

task<void> wait_then_stop(coring::wait_group* sessions, coring::stop_source* timer) {
  co_await sessions->wait();
  timer->request_stop();
}

task<void> stop_after(std::chrono::nanoseconds bound, coring::stop_source* target) {
  // (Never `if (co_await op)`: GCC 12 miscompiles an io_op awaited in a condition.)
  const coring::io_result slept = co_await coring::sleep_for(bound);
  if (slept) target->request_stop();
}

// Waits for the sessions to end; past `bound`, stops the ones still running.
task<void> drain(session_context* ctx, std::chrono::nanoseconds bound) {
  coring::stop_source timer;
  co_await coring::when_all(wait_then_stop(&ctx->sessions, &timer),
                            stop_after(bound, &ctx->sessions_stop).under(&timer));
}

void stop_listener(void* l) noexcept { static_cast<coring::listener*>(l)->stop(); }

// Once a second, closes the pipes no session needed since the last tick.
task<void> trim_pipes(pipe_pool* pipes) {
  for (;;) {
    const coring::io_result slept = co_await coring::sleep_for(std::chrono::seconds(1));
    if (!slept) co_return;  // stopped: the thread is done
    pipes->trim();
  }
}

// Accepts and runs sessions until shutdown (or a broken listener), lets them finish
// within --shutdown-timeout, then stops `then_stop`.
task<void> accept_sessions(const options* opts, shared_state* shared, coring::listener* listener,
                           session_context* ctx, coring::stop_source* then_stop) {
  coring::runtime& rt = coring::runtime::current();
  coring::stop_callback on_shutdown(&stop_listener, listener);
  if (!rt.shutdown_source().add(&on_shutdown)) listener->stop();

  for (;;) {
    coring::accepted a = co_await listener->accept();
    if (a.error != 0) {  // ECANCELED: stopped; anything else: the listener broke
      if (a.error != ECANCELED) {
        std::fprintf(stderr, "proxy: accept failed: %s; draining sessions and exiting\n",
                     std::strerror(a.error));
        shared->accept_failed = true;
        coring::shut_down_all_threads();  // do not live on unable to accept
      }
      break;
    }
    if (opts->max_conns != 0 && shared->active.load(std::memory_order_relaxed) >= opts->max_conns) {
      ++ctx->stats.rejected;
      rt.spawn(close_descriptor(a.socket));  // closed at once; the loop goes on accepting
      continue;
    }
    shared->active.fetch_add(1, std::memory_order_relaxed);
    ctx->sessions.add();
    rt.spawn(run_session(ctx, a.socket));
  }
  rt.shutdown_source().remove(&on_shutdown);
  co_await listener->drained();
  co_await drain(ctx, opts->shutdown_timeout);
  then_stop->request_stop();
}

}  // namespace

task<void> serve(const options* opts, shared_state* shared, unsigned index) {
  coring::runtime& rt = coring::runtime::current();
  const coring::socket_address address = coring::socket_address::parse(opts->bind, shared->port);
  coring::listen_options lo;
  lo.direct_descriptors = opts->direct_accept;
  lo.claim_port = false;  // main() claimed the port (reserve_port): every thread joins
  coring::listener listener(address, lo);
  if (shared->listening.fetch_add(1) + 1 == shared->threads) {
    std::printf("listening on %s\n", address.to_string().c_str());
    std::fflush(stdout);
  }

  session_context ctx(opts, index, shared->pipes_per_thread, &shared->active);
  if (opts->mode == pump_mode::splice && opts->engine == splice_engine::poll &&
      opts->push_batching) {
    const bool supported = co_await push_batch::kernel_supports_it();
    ctx.pushes = push_batch(supported);
  }
  coring::stop_source trimmer;
  co_await coring::when_all(accept_sessions(opts, shared, &listener, &ctx, &trimmer),
                            trim_pipes(&ctx.pipes).under(&trimmer));

  ctx.stats.held_pushes = ctx.pushes.pushes();
  std::lock_guard lock(shared->totals_mutex);
  shared->totals += ctx.stats;
  shared->runtime_totals += rt.stats();
}

}  // namespace proxy
