#include "http/server.hpp"

#include <algorithm>

#include "core/accept_loop.hpp"
#include "core/coarse_clock.hpp"
#include "core/io.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "http/connection.hpp"

namespace coring::http {
namespace {

// Expires header and idle timeouts a few times per (shortest) timeout.
task<void> run_ticker(server_state* s) {
  const auto shortest =
      std::min({s->limits.header_timeout, s->limits.idle_timeout, s->limits.send_timeout});
  const auto tick =
      std::clamp(shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
  int ticks = 0;
  for (;;) {
    io_result r = co_await sleep_for(tick);
    if (!r) co_return;  // stopped
    const std::int64_t now = coarse_now_ms();
    s->header_timeouts.expire(now);
    s->idle_timeouts.expire(now);
    s->send_timeouts.expire(now);
    if (++ticks * tick >= std::chrono::seconds(1)) {
      ticks = 0;
      s->trim();
    }
  }
}

// Closes a connection that arrived while the server was stopping.
task<void> close_unserved(descriptor socket) { co_await close(socket); }

void start_connection(server_state* s, descriptor socket) {
  runtime& rt = runtime::current();
  if (s->stopping) {
    rt.spawn(close_unserved(socket));
    return;
  }
  ++s->stats.connections;
  s->connections.add();
  rt.spawn(serve_connection(*s, socket), &s->abort);
}

task<void> accept_loop(server_state* s, listener* l, stop_source* ticker_stop) {
  const int broken =
      co_await accept_each(*l, [s](descriptor socket) { start_connection(s, socket); });
  if (broken != 0) {
    // The listening socket is broken: stop as on a shutdown (open connections are
    // drained) and let the caller see why.
    s->accept_error = broken;
    s->begin_stop();
  }
  co_await drain_connections(s->connections, s->abort, s->limits.drain_timeout);
  ticker_stop->request_stop();
}

}  // namespace

server::server(handler& h, const server_limits& limits)
    : state_(std::make_unique<server_state>(h, limits)) {}

server::~server() = default;

const server_stats& server::stats() const noexcept { return state_->stats; }
int server::accept_error() const noexcept { return state_->accept_error; }
std::size_t server::live_connections() const noexcept { return state_->connections.count(); }

void server::stop() { state_->begin_stop(); }

void server::observe(thread_metrics* m, access_log* log) noexcept {
  state_->watch = observer(m, log);
}

task<void> server::serve(listener& l) {
  server_state& s = *state_;
  s.listening = &l;
  stop_callback on_shutdown{[](void* self) noexcept { static_cast<server*>(self)->stop(); }, this};
  runtime::current().shutdown_source().add(&on_shutdown);
  if (runtime::current().shutdown_source().stop_requested()) stop();
  stop_source ticker_stop;
  co_await when_all(accept_loop(&s, &l, &ticker_stop), run_ticker(&s).under(&ticker_stop));
  runtime::current().shutdown_source().remove(&on_shutdown);
  s.listening = nullptr;
}

}  // namespace coring::http
