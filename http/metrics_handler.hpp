#pragma once
// metrics_handler: serves GET/HEAD on the metrics path (default /metrics) in front of
// an app's own handler, which gets every other request untouched. Other methods on
// the path → 405 with Allow. run_server puts one in front of each thread's handler.

#include <string>
#include <string_view>

#include "http/handler.hpp"
#include "http/metrics.hpp"

namespace coring::http {

class metrics_handler final : public handler {
 public:
  metrics_handler(handler& inner, const metrics& all, thread_metrics& mine, std::string_view path)
      : inner_(inner), all_(all), mine_(mine), path_(path) {}

  bool handle(request& req, response& res) override;
  task<void> handle_async(request& req, response& res) override {
    return inner_.handle_async(req, res);
  }
  void on_receive(std::string_view bytes) noexcept override { inner_.on_receive(bytes); }

 private:
  handler& inner_;
  const metrics& all_;
  thread_metrics& mine_;
  std::string_view path_;
  std::string text_;  // the exposition, reused across scrapes
};

}  // namespace coring::http
