#pragma once
// The two halves of every server's accept loop, whatever the protocol:
//
//   accept_each(listener, start)   hands each accepted socket to start(socket) until
//                                  the listener is stopped or breaks;
//   drain_connections(...)         then waits for the connections still running, and
//                                  past a bound stops them.
//
// A server runs them in sequence (http::server, the proxy's per-thread loop); what it
// does between them — e.g. ask idle connections to close when the listener broke — is
// its own.

#include <chrono>

#include "core/descriptor.hpp"
#include "core/listener.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"
#include "core/wait_group.hpp"

namespace coring {

// Returns 0 once the listener was stopped, or the errno that broke it; in both cases
// no accept is in flight any more. start(socket) owns the socket (it spawns the
// connection's task, or closes it).
template <class Start>
task<int> accept_each(listener& l, Start start) {
  for (;;) {
    const accepted a = co_await l.accept();
    if (a.error != 0) {
      co_await l.drained();
      // Refuse new connections at once while the open ones drain: a load balancer's
      // health check then fails fast and it sends the traffic elsewhere.
      l.close();
      co_return a.error == ECANCELED ? 0 : a.error;
    }
    start(a.socket);
  }
}

// Waits until `connections` is empty; once `bound` has passed, requests `abort` (which
// the connections' tasks run under) and keeps waiting for them to end.
task<void> drain_connections(wait_group& connections, stop_source& abort,
                             std::chrono::nanoseconds bound);

}  // namespace coring
