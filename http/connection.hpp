#pragma once
// The per-connection coroutine and the per-thread state it shares with its server.
// (Internal to http/: apps use server.hpp.)

#include <cstdint>
#include <memory>
#include <vector>

#include "core/descriptor.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"
#include "core/timeout_list.hpp"
#include "core/wait_group.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"
#include "http/observer.hpp"
#include "http/output_buffer.hpp"
#include "http/request_reader.hpp"
#include "http/server_stats.hpp"

namespace coring::http {

// What a connection needs only while it has bytes in hand: pooled per thread, so an
// idle keep-alive connection holds no parser, no buffers — just its coroutine frame.
struct workspace {
  explicit workspace(const server_limits& limits) : reader(limits) {}
  request_reader reader;
  request req;
  output_buffer out;
};

class server_state {
 public:
  server_state(handler& h, const server_limits& limits);

  workspace* acquire();
  void release(workspace* w);
  // Frees the workspaces no connection needed since the last call (called by the ticker):
  // a burst's pool drains away once the burst is over, steady load keeps its pool.
  void trim() noexcept;
  // Stops accepting and asks every connection to finish (idle ones close at once).
  void begin_stop();

  handler& handler_;
  server_limits limits;
  server_stats stats;
  stop_source graceful;  // closes idle connections; busy ones finish their batch first
  stop_source abort;     // cancels everything still running after the drain timeout
  wait_group connections;
  timeout_list header_timeouts;
  timeout_list idle_timeouts;
  timeout_list send_timeouts;
  bool stopping = false;
  int accept_error = 0;  // the errno that broke the listener (server::accept_error)
  listener* listening = nullptr;
  observer watch{nullptr, nullptr};  // metrics and access log, when enabled

 private:
  std::vector<std::unique_ptr<workspace>> free_;
  std::size_t unused_since_trim_ = 0;  // the fewest free workspaces seen since the last trim
};

// A connection's coroutine, spawned directly (runtime::spawn(spawned, ...)): no wrapper
// frame per connection.
spawned serve_connection(server_state& state, descriptor socket);

}  // namespace coring::http
