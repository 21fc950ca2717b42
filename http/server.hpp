#pragma once
// server: HTTP/1.1 over one thread's runtime — accept loop, one coroutine per
// connection, timeouts, graceful shutdown. Run one per thread (thread-per-core; see
// run_server in http/launch.hpp), each with its own SO_REUSEPORT listener.
//
// Shutdown (the runtime's shutdown_source, or stop()): stop accepting, close idle
// connections, let in-flight requests finish and be answered, close; connections
// still busy after limits.drain_timeout are cancelled.

#include <cstdint>
#include <memory>

#include "core/listener.hpp"
#include "core/task.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"

namespace coring::http {

struct server_stats {
  std::uint64_t requests = 0;
  std::uint64_t connections = 0;  // accepted in total
  std::uint64_t error_responses =
      0;                           // 4xx/5xx produced by the server itself (limits, parse errors)
  std::uint64_t timeouts = 0;      // header (408) and idle timeouts
  std::uint64_t bytes_parsed = 0;  // handed to llhttp: each received byte once, however split
};

class server_state;
class thread_metrics;
class access_log;

class server {
 public:
  server(handler& h, const server_limits& limits);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Serves until shutdown and every connection has finished. A listener that breaks
  // (accept() returns an error other than ECANCELED) ends it the same way: open
  // connections are drained, and accept_error() tells why.
  task<void> serve(listener& l);
  void stop();
  // Counts this server's traffic into `m` and logs each request to `log` (either may be
  // null). Call before serve().
  void observe(thread_metrics* m, access_log* log) noexcept;

  const server_stats& stats() const noexcept;
  int accept_error() const noexcept;  // 0, or the errno that broke the listener
  std::size_t live_connections() const noexcept;

 private:
  std::unique_ptr<server_state> state_;
};

}  // namespace coring::http
