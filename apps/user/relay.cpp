#include "relay.hpp"

#include <string_view>

namespace user_app {

using coring::http::client_error;

std::unique_ptr<coring::http::client_response> relay::take_buffer() {
  if (spare_.empty()) return std::make_unique<coring::http::client_response>();
  auto r = std::move(spare_.back());
  spare_.pop_back();
  return r;
}

void relay::give_back(std::unique_ptr<coring::http::client_response> r) {
  if (spare_.size() < 1024) spare_.push_back(std::move(r));
}

int status_for(client_error e) noexcept {
  switch (e) {
    case client_error::none:
      return 200;
    case client_error::timeout:
      return 504;
    case client_error::cancelled:
      return 503;  // we are shutting down
    default:
      return 502;
  }
}

coring::task<void> relay_user(relay* r, coring::http::response& res) {
  std::unique_ptr<coring::http::client_response> upstream = r->take_buffer();
  coring::http::client_request req;
  req.target = r->path();
  const client_error e = co_await r->client().request(req, *upstream);
  if (e != client_error::none) {
    std::string text(coring::http::to_string(e));
    text += '\n';
    res.send_text(status_for(e), text);
  } else {
    res.status(upstream->status);
    const std::string_view type = upstream->header("content-type");
    res.header("content-type", type.empty() ? std::string_view("application/json") : type);
    res.header("engine", "coring");
    res.header("location", "/v1/user");
    res.body(upstream->body);
  }
  r->give_back(std::move(upstream));
}

}  // namespace user_app
