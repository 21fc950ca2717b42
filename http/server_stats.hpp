#pragma once
// server_stats: what one thread's HTTP server counted (server::stats()).

#include <cstdint>

namespace coring::http {

struct server_stats {
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;  // accepted in total
  // 4xx/5xx produced by the server itself (limits, parse errors)
  std::uint64_t error_responses = 0;
  std::uint64_t timeouts = 0;      // header (408) and idle timeouts
  std::uint64_t bytes_parsed = 0;  // handed to llhttp: each received byte once, however split
};

}  // namespace coring::http
