#pragma once
// server_limits: every bound the HTTP server enforces, each with a default and a flag
// (see take_server_flags in http/launch.hpp). A violation gets its status and a closed connection.

#include <chrono>
#include <cstddef>

namespace coring::http {

struct server_limits {
  std::size_t max_header_bytes = 16 * 1024;          // request line + headers → 431
  std::size_t max_headers = 64;                      // header fields → 431
  std::size_t max_uri_bytes = 8 * 1024;              // request target → 414
  std::size_t max_body_bytes = 1024 * 1024;          // Content-Length or de-chunked body → 413
  std::size_t max_pipelined = 128;                   // requests answered per batch before a send
  std::size_t max_output_bytes = 256 * 1024;         // stop parsing (stop reading) above this
  std::size_t max_queued_receives = 8;               // receives left unread, then pause
  std::chrono::milliseconds header_timeout{10'000};  // first byte → complete request → 408
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait between requests
  std::chrono::milliseconds send_timeout{30'000};    // a send that makes no progress → close
  std::chrono::milliseconds drain_timeout{5'000};    // graceful shutdown bound
};

}  // namespace coring::http
