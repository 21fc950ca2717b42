#pragma once
// server: HTTP/1.1 over one thread's runtime — accept loop, one coroutine per
// connection, timeouts, graceful shutdown. Run one per thread (thread-per-core; see
// run_server in http/launch.hpp), each with its own SO_REUSEPORT listener.
//
// Shutdown (the runtime's shutdown_source, or stop()): stop accepting, close idle
// connections, let in-flight requests finish and be answered, close; connections
// still busy after limits.drain_timeout are cancelled.

#include <memory>

#include "core/listener.hpp"
#include "core/task.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"
#include "http/server_stats.hpp"

namespace coring::http {

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
