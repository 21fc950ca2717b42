#include "http/metrics_handler.hpp"

#include "core/runtime.hpp"

namespace coring::http {

bool metrics_handler::handle(request& req, response& res) {
  if (req.path != path_) return inner_.handle(req, res);
  if (req.method != method::get && req.method != method::head) {
    res.status(405);
    res.header("allow", "GET, HEAD");
    res.header("content-type", "text/plain");
    res.body("method not allowed\n");
    return true;
  }
  mine_.ring.publish(runtime::current().stats());  // this thread's counters, current
  all_.render(text_);
  res.header("content-type", "text/plain; version=0.0.4");
  res.body(text_);
  return true;
}

}  // namespace coring::http
