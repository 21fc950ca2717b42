#pragma once
// session: one client paired with one upstream connection.
//
//   connect upstream (round-robin; on refusal/timeout try the next, else close the client)
//   → two pumps at once, client→upstream and upstream→client (auto, splice or copy)
//   → a watchdog beside them (--idle-timeout; idle sessions at shutdown: watchdog.hpp)
//   → close both sockets, give the pipes back.
//
// Everything here runs on one thread; session_context is that thread's shared state.

#include <atomic>
#include <cstddef>

#include "apps/proxy/auto_pump.hpp"
#include "apps/proxy/counters.hpp"
#include "apps/proxy/options.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/turn_cork.hpp"
#include "apps/proxy/upstreams.hpp"
#include "core/descriptor.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"
#include "core/wait_group.hpp"

namespace proxy {

struct session_context {
  session_context(const options* o, std::size_t thread_index, std::size_t pipe_capacity,
                  std::atomic<std::size_t>* live)
      : opts(o),
        targets(o->upstreams, thread_index),
        pipes(pipe_capacity, o->pipe_size),
        active(live),
        nonblocking_sockets(o->mode == pump_mode::automatic ||
                            (o->mode == pump_mode::splice && o->engine == splice_engine::poll)) {}

  const options* opts;
  upstreams targets;
  pipe_pool pipes;
  turn_cork cork;  // enabled by serve() once the kernel is probed
  auto_plumbing plumbing{&pipes, &cork, opts->auto_receive, opts->auto_bulk, opts->pipe_size};
  counters stats;
  coring::wait_group sessions;        // live sessions of this thread
  coring::stop_source sessions_stop;  // ends every session (shutdown bound reached)
  coring::stop_source draining;       // shutdown began: idle sessions end (watchdog.hpp)
  std::atomic<std::size_t>* active;   // live sessions of the process (--max-conns)
  bool nonblocking_sockets;           // splice(2) from this thread (poll engine, auto mode)
                                      // needs O_NONBLOCK sockets
};

// Owns `client` (a plain fd or a direct descriptor): closes it before returning.
// Calls context->sessions.done() and decrements *context->active at the end.
coring::task<void> run_session(session_context* context, coring::descriptor client);

// Closes `d` even under a stopped task tree (a stopped op would not be submitted).
coring::task<void> close_descriptor(coring::descriptor d);

}  // namespace proxy
