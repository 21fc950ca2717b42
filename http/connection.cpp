#include "http/connection.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <optional>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/frame_pool.hpp"
#include "core/io.hpp"
#include "core/peer_name.hpp"
#include "core/recv_multishot.hpp"
#include "core/runtime.hpp"
#include "core/send_zc.hpp"

namespace coring::http {

server_state::server_state(handler& h, const server_limits& l)
    : handler_(h),
      limits(l),
      header_timeouts(l.header_timeout),
      idle_timeouts(l.idle_timeout),
      send_timeouts(l.send_timeout) {}

workspace* server_state::acquire() {
  if (free_.empty()) return new workspace(limits);
  workspace* w = free_.back().release();
  free_.pop_back();
  if (free_.size() < unused_since_trim_) unused_since_trim_ = free_.size();
  return w;
}

void server_state::release(workspace* w) {
  w->reader.reset();
  w->out.clear();
  free_.emplace_back(w);
}

void server_state::begin_stop() {
  if (stopping) return;
  stopping = true;
  if (listening != nullptr) listening->stop();
  graceful.request_stop();
}

void server_state::trim() noexcept {
  const std::size_t unused = std::min(unused_since_trim_, free_.size());
  free_.resize(free_.size() - unused);
  unused_since_trim_ = free_.size();
  const std::size_t frames = frame_pool::trim();  // the burst's request-time frames
#if defined(__GLIBC__)
  // Hand a burst's pages back to the OS, not just to malloc.
  if (unused + frames > 16) malloc_trim(0);
#endif
}

namespace {

// The connection's control block: its receive, and what timers and shutdown reach from
// outside.
struct connection_control {
  connection_control(descriptor socket, buffer_ring& ring, unsigned max_queued,
                     stop_source& abort) noexcept
      : rx(socket, ring, max_queued), abort(&abort) {}
  multishot_recv rx;
  stop_source* abort;     // the server's: ends what a busy connection still waits for
  bool busy = false;      // holds a partial request or is answering
  bool draining = false;  // shutdown asked: close after the current batch
  bool sending = false;   // the timer is the send timeout
  bool send_timed_out = false;
  timeout_list::node timer{&on_timeout, this};
  // On the server's graceful source, then (while busy) on its abort source: one hook
  // for both, instead of one more in every idle connection's receive.
  stop_callback on_shutdown{&on_stop, this};

  static void on_timeout(void* p) noexcept {
    auto* self = static_cast<connection_control*>(p);
    if (self->sending) {
      // The peer stopped reading: shut the socket down, which fails the stalled send
      // (and ends the receive) — no per-connection cancellation state needed.
      self->send_timed_out = true;
      shutdown(self->rx.socket(), SHUT_RDWR).detach();  // the socket may be gone already
    } else {
      self->rx.cancel(/*timed_out=*/true);
    }
  }
  static void on_stop(void* p) noexcept {
    auto* self = static_cast<connection_control*>(p);
    const bool aborting = self->draining;  // the second call comes from the abort source
    self->draining = true;
    // Busy: finish the current batch, unless the drain bound passes first.
    if (!aborting && self->busy && self->abort->add(&self->on_shutdown)) return;
    self->rx.cancel();
  }
  // Where on_shutdown is registered now (none once it fired there).
  stop_source& shutdown_source(server_state& s) const noexcept {
    return draining ? *abort : s.graceful;
  }
};

// Sends everything in `out` under the send timeout, so a peer that stops reading cannot
// hold the connection (and the buffers it has been sent) forever: one send for a single
// segment, sendmsg for several, send_zc for a large referenced body while the route
// really sends without copying. Each send that makes progress but leaves more re-arms
// the timeout. One coroutine, not a sending loop awaited by a timeout wrapper: it runs
// once per answered batch, and a second frame and resume there cost as much as the send
// decision itself.
task<bool> send_all(server_state& s, descriptor socket, output_buffer& out, zero_copy_policy& zc,
                    connection_control& control) {
  control.sending = true;
  s.send_timeouts.arm(control.timer, coarse_now_ms());
  const std::size_t pending = out.size();
  bool sent = true;
  while (!out.empty()) {
    const iovec first = out.front();
    io_result r;
    if (zc.use_for(first.iov_len) && out.largest_reference() >= first.iov_len) {
      zc_result z = co_await send_zc(socket, first.iov_base, first.iov_len);
      zc.observe(z);
      r = z.sent;
    } else if (out.segment_count() == 1) {
      r = co_await send(socket, first.iov_base, first.iov_len);
    } else {
      std::vector<iovec>& iov = out.iovecs();
      msghdr message{};
      message.msg_iov = iov.data();  // LIFETIME: out's iovecs live until this CQE
      message.msg_iovlen = iov.size();
      r = co_await sendmsg(socket, &message);
    }
    if (r.value <= 0) {
      sent = false;
      break;
    }
    out.consume(static_cast<std::size_t>(r.value));
    if (!out.empty()) s.send_timeouts.arm(control.timer, coarse_now_ms());  // progress
  }
  s.watch.sent(pending - out.size());
  control.sending = false;
  s.send_timeouts.disarm(control.timer);           // serve_connection arms the next timer
  if (control.send_timed_out) ++s.stats.timeouts;  // not an abort at the drain bound
  co_return sent;
}

void write_error(output_buffer& out, int status, std::string_view reason) {
  response res(out, false, false, false);
  res.status(status);
  res.header("content-type", "text/plain");
  std::string body(reason);
  body += '\n';
  res.body(body);
}

// What a connection carries between batches.
struct connection_flow {
  workspace* ws = nullptr;  // only while bytes are in hand
  zero_copy_policy zc;
  bool continue_sent = false;
  bool request_done = false;  // the last batch completed a request: a partial tail is a new one
  // Learned at the first receive, and only when the access log needs it: an idle
  // connection does not carry one.
  std::unique_ptr<const peer_address> peer;
};

// The batch ended without a request: returns whether the connection stays open.
bool settle_batch_end(server_state& s, workspace& ws, connection_flow& flow,
                      request_reader::status end) {
  if (end == request_reader::status::error) {
    const std::size_t before = ws.out.size();
    write_error(ws.out, ws.reader.error_status(), ws.reader.error_reason());
    s.watch.rejected(flow.peer.get(), ws.reader.rejected(), 1, ws.reader.error_status(),
                     ws.out.size() - before);
    ++s.stats.error_responses;
    return false;
  }
  if (end == request_reader::status::incomplete && ws.reader.awaiting_continue() &&
      !flow.continue_sent) {
    ws.out.append("HTTP/1.1 100 Continue\r\n\r\n");
    flow.continue_sent = true;
  }
  return true;
}

// Where the synchronous part of a receive's batch stopped.
enum class batch_step {
  settled,         // no complete request left: `open` says whether the connection stays
  awaits_handler,  // a handler answers asynchronously: `pending` holds its answer
  full,            // --max-pipelined answers or --max-output-bytes: send, then go on
};

// A request whose handler returned false: what finishing its answer needs once
// handle_async is done.
struct pending_answer {
  response res;
  std::size_t before;     // the output's size before the answer
  std::uint64_t started;  // the handler's start (metrics)
};

// One receive's batch in progress.
struct batch_state {
  std::size_t answered = 0;  // answers since the last send
  bool open = true;
  std::optional<pending_answer> pending;
};

// Hands one receive's bytes to the connection's reader (a workspace from the pool).
void begin_batch(server_state& s, connection_flow& flow, recv_result& received) {
  if (flow.ws == nullptr) flow.ws = s.acquire();
  workspace& ws = *flow.ws;
  s.watch.received(received.lease.data().size());
  s.handler_.on_receive({received.lease.data().data(), received.lease.data().size()});
  ws.reader.begin(std::move(received.lease));
  flow.request_done = false;
}

// Completes an answer once its handler is done: returns whether the connection stays
// open after it.
bool finish_answer(server_state& s, connection_flow& flow, request& req, response& res,
                   std::size_t before, std::uint64_t started) {
  if (!res.finished()) res.send_text(500, "handler did not respond\n");
  s.watch.answered(flow.peer.get(), req, res.status(), flow.ws->out.size() - before, started);
  return res.keep_alive();
}

// Backpressure: a bounded batch of answers is sent before parsing goes on.
bool batch_full(const server_state& s, const workspace& ws, batch_state& batch) {
  return ++batch.answered >= s.limits.max_pipelined || ws.out.size() >= s.limits.max_output_bytes;
}

// Answers the complete requests the reader holds, as far as that needs no waiting: a
// plain function, so a batch of synchronous answers costs no coroutine frame.
batch_step answer_ready(server_state& s, connection_flow& flow, connection_control& control,
                        batch_state& batch) {
  workspace& ws = *flow.ws;
  for (;;) {
    const request_reader::status got = ws.reader.next(ws.req);
    if (got != request_reader::status::request) {
      batch.open = settle_batch_end(s, ws, flow, got);
      return batch_step::settled;
    }
    flow.continue_sent = false;
    flow.request_done = true;
    ++s.stats.requests;
    request& req = ws.req;
    response res(ws.out, req.method == method::head, req.keep_alive && !control.draining,
                 req.version_minor == 0);
    const std::size_t before = ws.out.size();
    const std::uint64_t started = s.watch.handler_started();
    if (!s.handler_.handle(req, res)) {
      batch.pending.emplace(pending_answer{res, before, started});
      return batch_step::awaits_handler;
    }
    if (!finish_answer(s, flow, req, res, before, started)) {
      batch.open = false;
      return batch_step::settled;
    }
    if (batch_full(s, ws, batch)) return batch_step::full;
  }
}

// The reader keeps a partial tail for the next receive (unless the connection closes).
void end_batch(server_state& s, connection_flow& flow, bool open) {
  s.stats.bytes_parsed += flow.ws->reader.end(/*keep_tail=*/open);
}

// The part of a batch that waits: asynchronous answers and the sends of full batches,
// then the rest of the answers; keeps a partial tail. Returns false when the connection
// must close.
task<bool> finish_batch(server_state& s, descriptor socket, connection_flow& flow,
                        connection_control& control, batch_step step, batch_state batch) {
  workspace& ws = *flow.ws;
  while (step != batch_step::settled) {
    if (step == batch_step::awaits_handler) {
      pending_answer& p = *batch.pending;
      co_await s.handler_.handle_async(ws.req, p.res);
      if (!finish_answer(s, flow, ws.req, p.res, p.before, p.started)) {
        batch.open = false;
        break;
      }
      batch.pending.reset();
      if (!batch_full(s, ws, batch)) {
        step = answer_ready(s, flow, control, batch);
        continue;
      }
    }
    // Named result: GCC 12 miscompiles `if (co_await ...)` conditions.
    const bool sent = co_await send_all(s, socket, ws.out, flow.zc, control);
    if (!sent) {
      batch.open = false;
      break;
    }
    batch.answered = 0;
    step = answer_ready(s, flow, control, batch);
  }
  end_batch(s, flow, batch.open);
  if (!ws.out.empty()) {
    const bool sent = co_await send_all(s, socket, ws.out, flow.zc, control);
    if (!sent) batch.open = false;
  }
  co_return batch.open;
}

task<bool> learn_peer_then_answer(server_state& s, descriptor socket, connection_flow& flow,
                                  connection_control& control, recv_result& received);

// Answers every complete request of one receive (after any partial request kept from
// before), synchronously as far as it can: returns the coroutine still to await (an
// asynchronous answer, a send), or none, and sets `open` to whether the connection
// stays open as far as this part can tell (the coroutine's result decides as well).
// With synchronous handlers the only coroutine is the batch's one send.
task<bool> answer_received(server_state& s, descriptor socket, connection_flow& flow,
                           connection_control& control, recv_result& received, bool& open) {
  if (flow.peer == nullptr && s.watch.wants_peer()) {
    return learn_peer_then_answer(s, socket, flow, control, received);
  }
  begin_batch(s, flow, received);
  batch_state batch;
  const batch_step step = answer_ready(s, flow, control, batch);
  if (step != batch_step::settled) {
    return finish_batch(s, socket, flow, control, step, std::move(batch));
  }
  end_batch(s, flow, batch.open);
  open = batch.open;
  if (flow.ws->out.empty()) return {};
  return send_all(s, socket, flow.ws->out, flow.zc, control);
}

// The first receive of a connection whose peer the access log needs.
task<bool> learn_peer_then_answer(server_state& s, descriptor socket, connection_flow& flow,
                                  connection_control& control, recv_result& received) {
  const peer_address known = co_await peer_name(socket);
  flow.peer = std::make_unique<const peer_address>(known);
  bool open = true;
  task<bool> rest = answer_received(s, socket, flow, control, received, open);
  if (rest.valid()) {
    const bool rest_open = co_await std::move(rest);
    open = open && rest_open;
  }
  co_return open;
}

// A workspace holding no partial request goes back to the pool: an idle connection
// keeps none.
void release_settled_workspace(server_state& s, connection_flow& flow) {
  if (flow.ws != nullptr && !flow.ws->reader.partial()) {
    s.release(flow.ws);
    flow.ws = nullptr;
  }
}

// Answers a stalled partial request with 408.
task<void> answer_timeout(server_state& s, descriptor socket, connection_flow& flow,
                          connection_control& control) {
  const std::size_t before = flow.ws->out.size();
  write_error(flow.ws->out, 408, "request timeout");
  s.watch.rejected(flow.peer.get(), flow.ws->reader.held(), 1, 408, flow.ws->out.size() - before);
  ++s.stats.error_responses;
  co_await send_all(s, socket, flow.ws->out, flow.zc, control);
}

// Arms the idle timeout, or the header timeout from a request's first byte (more bytes
// of the same request must not re-arm it, or a client trickling bytes would never time
// out), and marks the connection busy while it holds a partial request.
void arm_receive_timer(server_state& s, const connection_flow& flow, connection_control& control) {
  control.busy = flow.ws != nullptr && flow.ws->reader.partial();
  if (!control.busy) {
    s.idle_timeouts.arm(control.timer, coarse_now_ms());
  } else if (control.timer.owner != &s.header_timeouts || flow.request_done) {
    s.header_timeouts.arm(control.timer, coarse_now_ms());
  }
}

// Ends the receive (answering 408 first if a started request stalled), gives the
// workspace back and closes the socket. A coroutine of its own, so its awaiters are
// not part of serve_connection's frame, the one an idle connection keeps.
task<void> close_connection(server_state& s, descriptor socket, connection_flow& flow,
                            connection_control& control, bool answer_408) {
  if (answer_408) co_await answer_timeout(s, socket, flow, control);
  if (control.timer.owner != nullptr) control.timer.owner->disarm(control.timer);
  control.shutdown_source(s).remove(&control.on_shutdown);
  co_await control.rx.stop();
  if (flow.ws != nullptr) s.release(flow.ws);
  co_await shutdown(socket, SHUT_WR);
  co_await close(socket);
  s.watch.connection_closed();
  s.connections.done();
}

}  // namespace

// Everything here lives in the frame an idle connection keeps (see README.md, "What
// an idle connection costs"): state goes into control and flow, work into coroutines
// it awaits, and the idle wait needs no stop hook (control.on_shutdown cancels it).
spawned serve_connection(server_state& s, descriptor socket) {
  connection_control control(socket, runtime::current().buffers(),
                             static_cast<unsigned>(s.limits.max_queued_receives), s.abort);
  connection_flow flow;
  s.watch.connection_opened();
  s.graceful.add(&control.on_shutdown);
  bool open = !s.graceful.stop_requested();
  bool answer_408 = false;
  while (open) {
    arm_receive_timer(s, flow, control);
    recv_result received = co_await control.rx.next_unhooked();
    if (received.value <= 0) {
      if (received.value == -ETIMEDOUT) {
        ++s.stats.timeouts;
        answer_408 = control.busy;  // started, then stalled
      }
      break;
    }
    control.busy = true;
    task<bool> rest = answer_received(s, socket, flow, control, received, open);
    if (rest.valid()) {
      const bool rest_open = co_await std::move(rest);
      open = open && rest_open;
    }
    release_settled_workspace(s, flow);
    if (control.draining && flow.ws == nullptr) open = false;
  }
  co_await close_connection(s, socket, flow, control, answer_408);
}

}  // namespace coring::http
