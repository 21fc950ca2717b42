#include "http/connection.hpp"

#include <sys/socket.h>

#include "core/io.hpp"
#include "core/recv_multishot.hpp"
#include "core/runtime.hpp"
#include "core/send_zc.hpp"

namespace coring::http {

server_state::server_state(handler& h, const server_limits& l)
    : handler_(h), limits(l), header_timeouts(l.header_timeout), idle_timeouts(l.idle_timeout) {}

exchange* server_state::acquire() {
  if (free_.empty()) {
    all_.push_back(std::make_unique<exchange>(limits));
    return all_.back().get();
  }
  exchange* e = free_.back();
  free_.pop_back();
  return e;
}

void server_state::release(exchange* e) noexcept {
  e->out.clear();
  e->assembly.clear();
  free_.push_back(e);
}

namespace {

// The connection's control block: what timers and shutdown reach from outside.
struct connection_control {
  multishot_recv* rx;
  bool busy = false;       // holds a partial request or is answering
  bool draining = false;   // shutdown asked: close after the current batch
  timeout_list::node timer{&on_timeout, this};
  stop_callback on_shutdown{&on_graceful, this};

  static void on_timeout(void* p) noexcept {
    static_cast<connection_control*>(p)->rx->cancel(/*timed_out=*/true);
  }
  static void on_graceful(void* p) noexcept {
    auto* self = static_cast<connection_control*>(p);
    self->draining = true;
    if (!self->busy) self->rx->cancel();
  }
};

// Sends everything in `out`: one send for a single segment, sendmsg for several,
// send_zc for a large referenced body while the route really sends without copying.
task<bool> flush(descriptor socket, output_buffer& out, zero_copy_policy& zc) {
  while (!out.empty()) {
    std::vector<iovec>& iov = out.iovecs();
    io_result r;
    if (zc.use_for(iov[0].iov_len) && out.largest_reference() >= iov[0].iov_len) {
      zc_result z = co_await send_zc(socket, iov[0].iov_base, iov[0].iov_len);
      zc.observe(z);
      r = z.sent;
    } else if (iov.size() == 1) {
      r = co_await send(socket, iov[0].iov_base, iov[0].iov_len);
    } else {
      msghdr message{};
      message.msg_iov = iov.data();  // LIFETIME: out's iovecs live until this CQE
      message.msg_iovlen = iov.size();
      r = co_await sendmsg(socket, &message);
    }
    if (r.value <= 0) co_return false;
    out.consume(static_cast<std::size_t>(r.value));
  }
  co_return true;
}

void write_error(output_buffer& out, int status, std::string_view reason) {
  response res(out, false, false, false);
  res.status(status);
  res.header("content-type", "text/plain");
  std::string body(reason);
  body += '\n';
  res.body(body);
}

}  // namespace

task<void> serve_connection(server_state& s, descriptor socket) {
  multishot_recv rx(socket, runtime::current().buffers());
  connection_control control{&rx};
  s.graceful.add(&control.on_shutdown);
  if (s.graceful.stop_requested()) control.draining = true;
  zero_copy_policy zc;
  exchange* ex = nullptr;
  bool open = !control.draining;
  bool continue_sent = false;

  while (open) {
    const bool partial = ex != nullptr && !ex->assembly.empty();
    (partial ? s.header_timeouts : s.idle_timeouts).arm(control.timer, coarse_now_ms());
    control.busy = partial;
    recv_result received = co_await rx.next();
    control.busy = true;
    if (received.value <= 0) {
      if (received.value == -ETIMEDOUT) {
        ++s.stats.timeouts;
        if (partial) {  // the client started a request and stalled
          write_error(ex->out, 408, "request timeout");
          ++s.stats.error_responses;
          co_await flush(socket, ex->out, zc);
        }
      }
      break;
    }
    if (ex == nullptr) ex = s.acquire();

    std::string_view input(received.lease.data().data(), received.lease.data().size());
    const bool assembled = !ex->assembly.empty();
    if (assembled) {  // the rest of a request that spanned receives
      ex->assembly.append(input);
      received.lease.release();
      input = ex->assembly;
    }

    std::size_t offset = 0;
    std::size_t answered = 0;
    while (offset < input.size()) {
      const auto outcome = ex->parser.parse(input.substr(offset), ex->req);
      if (outcome == request_parser::outcome::incomplete) {
        if (ex->parser.awaiting_continue() && !continue_sent) {
          ex->out.append("HTTP/1.1 100 Continue\r\n\r\n");
          continue_sent = true;
        }
        break;
      }
      if (outcome == request_parser::outcome::error) {
        write_error(ex->out, ex->parser.error_status(), ex->parser.error_reason());
        ++s.stats.error_responses;
        open = false;
        offset = input.size();
        break;
      }
      continue_sent = false;
      offset += ex->parser.consumed();
      ++s.stats.requests;
      request& req = ex->req;
      const bool keep_alive = req.keep_alive && !control.draining;
      response res(ex->out, req.method == method::head, keep_alive, req.version_minor == 0);
      if (!s.handler_.handle(req, res)) co_await s.handler_.handle_async(req, res);
      if (!res.finished()) res.send_text(500, "handler did not respond\n");
      if (!res.keep_alive()) {
        open = false;
        offset = input.size();
        break;
      }
      // Backpressure: answer a bounded batch, send it, then go on parsing.
      if (++answered >= s.limits.max_pipelined || ex->out.size() >= s.limits.max_output_bytes) {
        if (!co_await flush(socket, ex->out, zc)) {
          open = false;
          break;
        }
        answered = 0;
      }
    }

    // Keep the unparsed tail (a partial request) and give the buffer back.
    if (open && offset < input.size()) {
      if (assembled) {
        ex->assembly.erase(0, offset);
      } else {
        ex->assembly.assign(input.substr(offset));
      }
    } else {
      ex->assembly.clear();
    }
    received.lease.release();

    if (!ex->out.empty() && !co_await flush(socket, ex->out, zc)) open = false;
    if (ex->assembly.empty()) {
      s.release(ex);
      ex = nullptr;
    }
    if (control.draining && ex == nullptr) open = false;
  }

  if (control.timer.owner != nullptr) control.timer.owner->disarm(control.timer);
  s.graceful.remove(&control.on_shutdown);
  co_await rx.stop();
  if (ex != nullptr) s.release(ex);
  co_await shutdown(socket, SHUT_WR);
  co_await close(socket);
  s.connections.done();
}

}  // namespace coring::http
