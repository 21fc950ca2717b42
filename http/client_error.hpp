#pragma once
// client_error: how an HTTP client request ended. Values, not exceptions — an upstream
// that is down or slow is an expected outcome the caller maps to a status (502, 504).

#include <string_view>

namespace coring::http {

enum class client_error {
  none,             // a complete response arrived
  connect_refused,  // nothing listens at the upstream address (ECONNREFUSED)
  connect_failed,   // any other connect failure (unreachable, no route, ...)
  timeout,          // the request's deadline passed (connect, send or receive)
  reset,            // the connection was reset or closed before the response was complete
  malformed,        // the bytes received are not an HTTP/1.x response
  too_large,        // the response body exceeds client_options::max_response_bytes
  cancelled,        // the calling task was stopped
};

constexpr std::string_view to_string(client_error e) noexcept {
  switch (e) {
    case client_error::none:
      return "ok";
    case client_error::connect_refused:
      return "upstream refused the connection";
    case client_error::connect_failed:
      return "cannot connect to upstream";
    case client_error::timeout:
      return "upstream timed out";
    case client_error::reset:
      return "upstream closed the connection mid-response";
    case client_error::malformed:
      return "malformed upstream response";
    case client_error::too_large:
      return "upstream response too large";
    case client_error::cancelled:
      return "request cancelled";
  }
  return "unknown";
}

}  // namespace coring::http
