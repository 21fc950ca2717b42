#pragma once
// client_connection: one HTTP/1.1 connection to an upstream, used by one request at a
// time (no pipelining) and kept alive between requests by client_pool.
//
// The socket is a plain fd from ::socket with TCP_NODELAY; every operation on it goes
// through the ring with a linked timeout for what is left of the request's deadline.

#include <chrono>
#include <string>
#include <vector>

#include "core/address.hpp"
#include "core/descriptor.hpp"
#include "core/task.hpp"
#include "http/client_error.hpp"
#include "http/client_response.hpp"
#include "http/response_parser.hpp"

namespace coring::http {

class client_connection {
 public:
  using clock = std::chrono::steady_clock;

  client_connection() = default;
  ~client_connection();  // closes the socket (plain ::close: never on the hot path)
  client_connection(const client_connection&) = delete;
  client_connection& operator=(const client_connection&) = delete;

  // Connects to `address` (which must outlive the call) before `deadline`.
  task<client_error> open(const socket_address& address, clock::time_point deadline);

  // Sends request_bytes() and reads one response into `out`. On error the connection
  // must not be reused; stale() then says whether it failed before any response byte
  // arrived (a pooled connection the upstream had already closed).
  task<client_error> round_trip(client_response& out, bool head_request, std::size_t max_body,
                                clock::time_point deadline);

  // The serialised request; filled by the caller before round_trip().
  std::string& request_bytes() noexcept { return request_; }
  bool reusable() const noexcept { return reusable_; }
  bool stale() const noexcept { return stale_; }

  // When it went back to the pool (for idle reaping).
  clock::time_point idle_since{};

 private:
  descriptor socket_{};
  std::string request_;
  std::vector<char> input_ = std::vector<char>(16 * 1024);
  response_parser parser_;
  bool reusable_ = false;
  bool stale_ = false;
};

}  // namespace coring::http
