#pragma once
// observer: what a server thread reports about its traffic — the metrics counters and
// the access log, each optional. The connection code calls these hooks; with neither
// enabled each hook is one predictable branch.

#include <cstdint>
#include <string_view>

#include "core/cycle_clock.hpp"
#include "core/peer_name.hpp"
#include "http/access_log.hpp"
#include "http/metrics.hpp"
#include "http/request.hpp"

namespace coring::http {

class observer {
 public:
  observer(thread_metrics* m, access_log* log) noexcept : metrics_(m), log_(log) {}

  bool wants_peer() const noexcept { return log_ != nullptr; }
  bool timed() const noexcept { return metrics_ != nullptr || log_ != nullptr; }

  void connection_opened() noexcept {
    if (metrics_ != nullptr) metrics_->connections_opened.add();
  }
  void connection_closed() noexcept {
    if (metrics_ != nullptr) metrics_->connections_closed.add();
  }
  void received(std::size_t bytes) noexcept {
    if (metrics_ != nullptr) metrics_->bytes_received.add(bytes);
  }
  void sent(std::size_t bytes) noexcept {
    if (metrics_ != nullptr) metrics_->bytes_sent.add(bytes);
  }
  // Around a handler: the start time (0 when nothing is observed).
  std::uint64_t handler_started() noexcept {
    if (metrics_ != nullptr) metrics_->in_flight.add();
    return timed() ? cycle_now() : 0;
  }
  // A request a handler answered with `status` in `bytes` on the wire.
  void answered(const peer_address* peer, const request& req, int status, std::uint64_t bytes,
                std::uint64_t started);
  // A request the HTTP layer answered itself with an error before any handler
  // (`raw`: the bytes from the request's start, for its method).
  void rejected(const peer_address* peer, std::string_view raw, unsigned version_minor, int status,
                std::uint64_t bytes);

 private:
  thread_metrics* metrics_;
  access_log* log_;
};

}  // namespace coring::http
