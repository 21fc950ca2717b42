#pragma once
// client_pool: idle keep-alive connections to one upstream, for one thread.
//
// No locks: every thread has its own runtime and its own pool. take() hands out the
// most recently used connection (warm in every cache), after closing those idle longer
// than idle_timeout; put() keeps at most max_idle and closes the rest. A connection the
// upstream closed while idle is noticed by the request that uses it (see client).

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>

#include "http/client_connection.hpp"

namespace coring::http {

class client_pool {
 public:
  client_pool(std::size_t max_idle, std::chrono::milliseconds idle_timeout) noexcept
      : max_idle_(max_idle), idle_timeout_(idle_timeout) {}

  // An idle connection, or null when there is none.
  std::unique_ptr<client_connection> take();
  // Returns a connection that is ready for another request.
  void put(std::unique_ptr<client_connection> c);
  // Closes every connection idle for longer than idle_timeout.
  void reap(client_connection::clock::time_point now);

  std::size_t idle() const noexcept { return idle_.size(); }

 private:
  std::deque<std::unique_ptr<client_connection>> idle_;  // oldest at the front
  std::size_t max_idle_;
  std::chrono::milliseconds idle_timeout_;
};

}  // namespace coring::http
