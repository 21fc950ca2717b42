#pragma once
// metrics_endpoint: the proxy's Prometheus text on GET /metrics of --metrics-port (its
// own port: the proxy port itself is TCP passthrough). Every thread publishes its
// counters once a second (core/published_stats.hpp); the endpoint runs on thread 0 and
// sums them. Exported: proxy_sessions_total, proxy_sessions_active, proxy_spliced_bytes_total,
// proxy_copied_bytes_total, proxy_copy_fallbacks_total, proxy_upstream_connect_failures_total,
// proxy_upstream_unreachable_total, proxy_rejected_total, proxy_idle_closed_total,
// proxy_aborted_total, proxy_closed_idle_at_shutdown_total and the ring counters.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "apps/proxy/counters.hpp"
#include "core/published_stats.hpp"
#include "http/handler.hpp"

namespace proxy {

struct published_thread {
  coring::published<counters> proxy;
  coring::published_stats ring;
};

class metrics_endpoint final : public coring::http::handler {
 public:
  metrics_endpoint(const std::vector<std::unique_ptr<published_thread>>& threads,
                   const std::atomic<std::size_t>& active)
      : threads_(threads), active_(active) {}
  bool handle(coring::http::request& req, coring::http::response& res) override;

 private:
  void render();
  const std::vector<std::unique_ptr<published_thread>>& threads_;
  const std::atomic<std::size_t>& active_;
  std::string text_;
};

}  // namespace proxy
