#include "apps/proxy/metrics_endpoint.hpp"

#include "http/metrics.hpp"
#include "http/response.hpp"

namespace proxy {

using coring::http::append_metric;

bool metrics_endpoint::handle(coring::http::request& req, coring::http::response& res) {
  if (req.path != "/metrics") {
    res.send_text(404, "not found: the proxy serves /metrics here\n");
    return true;
  }
  if (req.method != coring::http::method::get && req.method != coring::http::method::head) {
    res.status(405);
    res.header("allow", "GET, HEAD");
    res.body("method not allowed\n");
    return true;
  }
  render();
  res.header("content-type", "text/plain; version=0.0.4");
  res.body(text_);
  return true;
}

void metrics_endpoint::render() {
  counters c;
  coring::runtime_stats ring;
  for (const auto& t : threads_) {
    c += t->proxy.read();
    ring += t->ring.read();
  }
  text_.clear();
  std::string& o = text_;
  append_metric(o, "proxy_sessions_total", "counter", "Clients paired with an upstream.",
                c.sessions);
  append_metric(o, "proxy_sessions_active", "gauge", "Sessions open now.",
                active_.load(std::memory_order_relaxed));
  append_metric(o, "proxy_spliced_bytes_total", "counter",
                "Bytes moved socket to pipe to socket in the kernel.", c.spliced_bytes);
  append_metric(o, "proxy_copied_bytes_total", "counter",
                "Bytes received into user space (copy and auto mode).", c.user_space_bytes);
  append_metric(o, "proxy_copy_fallbacks_total", "counter",
                "Splice sessions (auto: bursts) copied because no pipe was free.",
                c.copy_fallbacks);
  append_metric(o, "proxy_switches_to_splice_total", "counter", "Auto mode: bulky bursts spliced.",
                c.switches_to_splice);
  append_metric(o, "proxy_switches_to_copy_total", "counter",
                "Auto mode: returns to copying once a burst drained.", c.switches_to_copy);
  append_metric(o, "proxy_stalled_closed_total", "counter",
                "Sessions closed by --send-timeout: a peer took none of the bytes waiting.",
                c.stalled_closed);
  append_metric(o, "proxy_upstream_connect_failures_total", "counter",
                "Upstream connects refused or timed out.", c.connect_failures);
  append_metric(o, "proxy_upstream_unreachable_total", "counter",
                "Clients closed because no upstream answered.", c.unreachable);
  append_metric(o, "proxy_rejected_total", "counter", "Clients closed at once by --max-conns.",
                c.rejected);
  append_metric(o, "proxy_idle_closed_total", "counter", "Sessions closed by --idle-timeout.",
                c.idle_closed);
  append_metric(o, "proxy_aborted_total", "counter", "Sessions ended by a reset or an error.",
                c.aborted);
  append_metric(o, "proxy_closed_idle_at_shutdown_total", "counter",
                "Idle sessions closed at once on shutdown.", c.closed_idle_at_shutdown);
  coring::http::append_runtime_metrics(o, "proxy", ring);
}

}  // namespace proxy
