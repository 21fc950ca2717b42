#include "http/observer.hpp"

namespace coring::http {

void observer::answered(const peer_address* peer, const request& req, int status,
                        std::uint64_t bytes, std::uint64_t started) {
  const std::uint64_t cycles = timed() ? cycle_now() - started : 0;
  if (metrics_ != nullptr) {
    metrics_->in_flight.sub();
    metrics_->answered(req.method, status);
    metrics_->handled(cycles);
  }
  if (log_ != nullptr) {
    const auto micros =
        static_cast<std::uint64_t>(static_cast<double>(cycles) / cycles_per_ns() / 1e3);
    const std::string_view method =
        req.method == method::other ? req.method_name : method_text(req.method);
    log_->append({peer, method, req.target, req.version_minor, status, bytes, micros});
  }
}

void observer::rejected(const peer_address* peer, std::string_view raw, unsigned version_minor,
                        int status, std::uint64_t bytes) {
  const http::method m = method_of_raw_request(raw);
  if (metrics_ != nullptr) metrics_->answered(m, status);
  if (log_ != nullptr) log_->append({peer, method_text(m), {}, version_minor, status, bytes, 0});
}

}  // namespace coring::http
