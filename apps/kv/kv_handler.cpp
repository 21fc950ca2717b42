#include "kv_handler.hpp"

#include <charconv>

#include "core/coarse_clock.hpp"
#include "http/response.hpp"

namespace kv {

using coring::http::method;

bool kv_handler::handle(coring::http::request& req, coring::http::response& res) {
  dispatch(req, res);
  return true;
}

void kv_handler::on_receive(std::string_view bytes) noexcept {
  // A pipelined batch of GETs on random keys in a big table is one cache miss per
  // request; handled one after another the misses queue up. Starting every miss of the
  // batch now lets them overlap. Only a hint: a body line that looks like a request line
  // costs one useless prefetch.
  constexpr std::size_t max_prefetches = 64;
  const std::size_t max_key = store_.options().max_key;
  std::size_t issued = 0;
  std::size_t line = 0;
  while (line < bytes.size() && issued < max_prefetches) {
    const std::string_view rest = bytes.substr(line);
    std::size_t skip = 0;
    if (rest.starts_with("GET /")) {
      skip = 5;
    } else if (rest.starts_with("POST /")) {
      skip = 6;
    } else if (rest.starts_with("PUT /")) {
      skip = 5;
    } else if (rest.starts_with("DELETE /")) {
      skip = 8;
    }
    if (skip != 0) {
      const std::string_view target = rest.substr(skip);
      const std::size_t end = target.find_first_of(" ?\r");
      if (end != std::string_view::npos && end > 0 && end <= max_key) {
        store_.prefetch(target.substr(0, end));
        ++issued;
      }
    }
    const std::size_t newline = bytes.find('\n', line);
    if (newline == std::string_view::npos) break;
    line = newline + 1;
  }
}

namespace {

// RFC 9110 §15.5.6: a 405 lists the methods the target supports.
void method_not_allowed(coring::http::response& res, std::string_view allow) {
  res.status(405);
  res.header("allow", allow);
  res.header("content-type", "text/plain");
  res.body("method not allowed\n");
}

}  // namespace

void kv_handler::dispatch(coring::http::request& req, coring::http::response& res) {
  const std::string_view path = req.path;
  const bool read = req.method == method::get || req.method == method::head;

  if (path == "/size") {
    if (!read) {
      method_not_allowed(res, "GET, HEAD");
    } else {
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, store_.size()).ptr;
      res.body({digits, static_cast<std::size_t>(end - digits)});
    }
    return;
  }

  if (path.empty() || path.front() != '/' || path.size() == 1) {
    res.send_text(400, "empty key\n");
    return;
  }
  const std::string_view key = path.substr(1);
  const store_options& limits = store_.options();
  if (key.size() > limits.max_key) {
    res.send_text(400, "key too long\n");
    return;
  }

  switch (req.method) {
    case method::get:
    case method::head:
      // The value is copied into the output under the stripe lock: no other copy.
      if (!store_.get(key, coring::coarse_now_ms(), [&res](std::string_view v) { res.body(v); })) {
        res.body({});
      }
      return;
    case method::post:
    case method::put:
      if (req.body.size() > limits.max_value) {
        res.send_text(413, "value too long\n");
      } else if (store_.put(key, req.body, coring::coarse_now_ms()) == store::put_result::full) {
        res.send_text(507, "key limit reached\n");
      } else {
        res.body(req.body);
      }
      return;
    case method::delete_:
      store_.erase(key);
      res.status(204);
      res.no_content();
      return;
    default:
      method_not_allowed(res, "GET, HEAD, POST, PUT, DELETE");
      return;
  }
}

}  // namespace kv
