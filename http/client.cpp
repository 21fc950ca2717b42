#include "http/client.hpp"

#include <charconv>

namespace coring::http {
namespace {

bool idempotent(std::string_view method) noexcept {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS";
}

}  // namespace

client::client(const socket_address& upstream, const client_options& options)
    : upstream_(upstream),
      host_(upstream.to_string()),
      options_(options),
      pool_(options.max_idle, options.idle_timeout) {}

void client::serialise(const client_request& req, std::string& out) const {
  out.clear();
  out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\nhost: ").append(host_);
  out.append("\r\n");
  for (std::size_t i = 0; i < req.header_count; ++i) {
    out.append(req.headers[i].name).append(": ").append(req.headers[i].value).append("\r\n");
  }
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, req.body.size()).ptr;
    out.append("content-length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n").append(req.body);
}

task<client_error> client::request(const client_request& req, client_response& out) {
  const auto deadline = client_connection::clock::now() + options_.timeout;
  const bool head = req.method == "HEAD";
  ++stats_.requests;
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<client_connection> c = attempt == 0 ? pool_.take() : nullptr;
    const bool pooled = c != nullptr;
    if (!pooled) {
      c = std::make_unique<client_connection>();
      ++stats_.connections_opened;
      const client_error e = co_await c->open(upstream_, deadline);
      if (e != client_error::none) co_return e;
    }
    serialise(req, c->request_bytes());
    const client_error e = co_await c->round_trip(out, head, options_.max_response_bytes, deadline);
    if (e == client_error::none) {
      if (c->reusable()) pool_.put(std::move(c));
      co_return e;
    }
    // A pooled connection the upstream closed while it sat idle: retry once, on a new one.
    if (pooled && c->stale() && attempt == 0 && idempotent(req.method)) {
      ++stats_.retries;
      continue;
    }
    co_return e;
  }
}

}  // namespace coring::http
