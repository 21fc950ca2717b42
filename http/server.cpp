#include "http/server.hpp"

#include <algorithm>

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

task<void> wait_connections(server_state* s, stop_source* then_stop) {
  co_await s->connections.wait();
  then_stop->request_stop();
}

task<void> abort_after(std::chrono::milliseconds d, stop_source* abort) {
  io_result r = co_await sleep_for(d);
  if (r) abort->request_stop();  // the drain bound passed: cancel what is still running
}

task<void> accept_loop(server_state* s, listener* l, stop_source* ticker_stop) {
  runtime& rt = runtime::current();
  for (;;) {
    accepted a = co_await l->accept();
    if (a.error == ECANCELED) break;
    if (a.error != 0) {
      // The listening socket is broken: stop as on a shutdown (open connections are
      // drained) and let the caller see why.
      s->accept_error = a.error;
      s->begin_stop();
      break;
    }
    if (s->stopping) {
      co_await close(a.socket);
      continue;
    }
    ++s->stats.connections;
    s->connections.add();
    rt.spawn(serve_connection(*s, a.socket).under(&s->abort));
  }
  co_await l->drained();
  l->close();  // refuse new connections while the open ones drain
  stop_source drain_timer;
  co_await when_all(wait_connections(s, &drain_timer),
                    abort_after(s->limits.drain_timeout, &s->abort).under(&drain_timer));
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
