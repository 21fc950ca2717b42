#pragma once
// splice_pump: one direction of a session, socket -> pipe -> socket, in the kernel.
//
// Each chunk is spliced into the pipe (N bytes), then out of it until all N are out
// (a splice to a socket may move fewer). EOF on `from` becomes shutdown(SHUT_WR) on
// `to` and ends this direction only; an error (reset, EPIPE, cancel) fails the flow,
// which ends both. `d` tells the session what is still in the pipe (drained at the end?
// stalled?) and how much has gone out.
//
// Two engines:
//  - splice_uring: IORING_OP_SPLICE. The kernel never tries it inline: it always
//    runs on an io-wq worker thread, which then blocks in the socket until data
//    comes — one worker per idle direction, and a thread hop per chunk.
//  - splice_poll: IORING_OP_POLL_ADD waits for readiness, then this thread calls
//    splice(2) with SPLICE_F_NONBLOCK on O_NONBLOCK sockets (what Go does). Needs
//    plain fds: splice(2) cannot name a direct descriptor. Under load its splices into
//    a socket are batched through `pushes` (push_batch.hpp).

#include <cstddef>

#include "apps/proxy/flow.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/push_batch.hpp"
#include "core/descriptor.hpp"
#include "core/task.hpp"

namespace proxy {

coring::task<void> splice_uring(coring::descriptor from, coring::descriptor to, pipe_pair pipe,
                                std::size_t chunk, flow* f, direction* d);

coring::task<void> splice_poll(int from, int to, pipe_pair pipe, std::size_t chunk,
                               push_batch* pushes, flow* f, direction* d);

}  // namespace proxy
