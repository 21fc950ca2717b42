#pragma once
// splice_pump: one direction of a session, socket -> pipe -> socket, in the kernel.
//
// Each chunk is spliced into the pipe (N bytes), then out of it until all N are out
// (a splice to a socket may move fewer). EOF on `from` becomes shutdown(SHUT_WR) on
// `to` and ends this direction only; an error (reset, EPIPE, cancel) fails the flow,
// which ends both. `in_pipe` tells the session whether the pipe is drained at the end.
//
// Two engines:
//  - splice_uring: IORING_OP_SPLICE. The kernel never tries it inline: it always
//    runs on an io-wq worker thread, which then blocks in the socket until data
//    comes — one worker per idle direction, and a thread hop per chunk.
//  - splice_poll: IORING_OP_POLL_ADD waits for readiness, then this thread calls
//    splice(2) with SPLICE_F_NONBLOCK on O_NONBLOCK sockets (what Go does). Needs
//    plain fds: splice(2) cannot name a direct descriptor. Under load its splices into
//    a socket are batched through `cork` (turn_cork.hpp).

#include <cstddef>

#include "apps/proxy/flow.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/turn_cork.hpp"
#include "core/descriptor.hpp"
#include "core/task.hpp"

namespace proxy {

coring::task<void> splice_uring(coring::descriptor from, coring::descriptor to, pipe_pair pipe,
                                std::size_t chunk, flow* f, std::size_t* in_pipe);

coring::task<void> splice_poll(int from, int to, pipe_pair pipe, std::size_t chunk, turn_cork* cork,
                               flow* f, std::size_t* in_pipe);

// The poll engine's steps, shared with auto_pump:
// Waits until `fd` is ready for `events`; false (and the flow failed) if cancelled.
coring::task<bool> wait_for(int fd, short events, flow* f);
// Splices the *in_pipe bytes the pipe holds into `to` (O_NONBLOCK), counting them
// down as they leave; false (and the flow failed) on an error or a cancel.
coring::task<bool> splice_out(pipe_pair pipe, int to, std::size_t* in_pipe, turn_cork* cork,
                              flow* f);

}  // namespace proxy
