#pragma once
// client: an HTTP/1.1 client for one upstream, on the calling thread's runtime.
//
//   client c(socket_address::parse("127.0.0.1:8080"), {});
//   client_response res;
//   client_error e = co_await c.request({.target = "/v1/customer/get"}, res);
//
// Connections are kept alive in a per-thread client_pool (make one client per thread).
// Each request has one deadline covering connect, send and receive. A pooled
// connection that turns out dead (the upstream closed it while idle) is retried once
// on a fresh connection when the request is idempotent. Errors are client_error
// values for the caller to map (502, 504, ...).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/address.hpp"
#include "core/task.hpp"
#include "http/client_error.hpp"
#include "http/client_pool.hpp"
#include "http/client_response.hpp"
#include "http/request.hpp"

namespace coring::http {

struct client_options {
  std::chrono::milliseconds timeout{2'000};        // per request: connect + send + receive
  std::chrono::milliseconds idle_timeout{30'000};  // pooled connections idle longer are closed
  std::size_t max_idle = 256;                      // pooled connections kept at most
  std::size_t max_response_bytes = 16 * 1024 * 1024;
};

struct client_request {
  std::string_view method = "GET";
  std::string_view target = "/";
  const header_field* headers = nullptr;  // extra header fields (host is added)
  std::size_t header_count = 0;
  std::string_view body;  // sent with content-length when not empty (or for POST/PUT)
};

struct client_stats {
  std::uint64_t requests = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t retries = 0;  // pooled connections found dead and retried
};

class client {
 public:
  client(const socket_address& upstream, const client_options& options = {});

  // Sends `req` and reads the response into `out`. `req` must stay valid until the
  // returned task completes (the caller awaits it, so its frame keeps it).
  task<client_error> request(const client_request& req, client_response& out);

  const client_stats& stats() const noexcept { return stats_; }
  std::size_t idle_connections() const noexcept { return pool_.idle(); }
  // Closes pooled connections idle longer than options.idle_timeout. Requests do it
  // too; call it now and then so that an idle pool shrinks without traffic.
  void reap_idle() { pool_.reap(client_connection::clock::now()); }
  const socket_address& upstream() const noexcept { return upstream_; }

 private:
  void serialise(const client_request& req, std::string& out) const;

  socket_address upstream_;
  std::string host_;  // the Host header value
  client_options options_;
  client_pool pool_;
  client_stats stats_;
};

}  // namespace coring::http
