#pragma once
// test_server: an in-process HTTP server on a background thread, for the http tests.
//
// The thread owns a runtime, a listener on 127.0.0.1 (ephemeral port) and a server
// with the given handler and limits. Besides srv.serve() it awaits a poll on a pipe:
// stop() writes one byte, the watcher calls srv.stop() on the server's own thread
// (nothing in a runtime is touched from another thread), and the thread is joined.
//
// fn_handler turns a lambda into a handler; it runs on the server thread.

#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include "core/address.hpp"
#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/when_all.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"
#include "http/server.hpp"

namespace coring::http::test {

class fn_handler final : public handler {
 public:
  using fn = std::function<void(request&, response&)>;
  explicit fn_handler(fn f) : f_(std::move(f)) {}
  bool handle(request& req, response& res) override {
    f_(req, res);
    return true;
  }

 private:
  fn f_;
};

// Answers every request with its path as the body (so tests can check order).
inline fn_handler echo_path_handler() {
  return fn_handler([](request& req, response& res) { res.body(req.path); });
}

namespace detail {

// Waits for the stop pipe to become readable, then stops the server gracefully.
inline task<void> stop_when_readable(int fd, server* srv) {
  co_await poll(descriptor{fd, false}, POLLIN);
  srv->stop();
}

inline task<void> serve_until_stopped(server* srv, listener* l, int stop_fd) {
  co_await when_all(srv->serve(*l), stop_when_readable(stop_fd, srv));
}

}  // namespace detail

class test_server {
 public:
  explicit test_server(handler& h, server_limits limits = {}, runtime::options ring = {})
      : handler_(h), limits_(limits), ring_(ring) {
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    std::promise<std::uint16_t> bound;
    std::future<std::uint16_t> port = bound.get_future();
    thread_ = std::thread([this, &bound] { run(bound); });
    port_ = port.get();  // rethrows a setup failure
  }

  ~test_server() { stop(); }
  test_server(const test_server&) = delete;
  test_server& operator=(const test_server&) = delete;

  std::uint16_t port() const noexcept { return port_; }

  // Asks for a graceful stop and returns at once (stop() then waits for it).
  void begin_stop() {
    if (stop_requested_) return;
    stop_requested_ = true;
    const char byte = 1;
    (void)!::write(stop_pipe_[1], &byte, 1);
  }

  // Graceful stop; returns once the server thread has finished. Rethrows its error.
  void stop() {
    if (!thread_.joinable()) return;
    begin_stop();
    thread_.join();
    ::close(stop_pipe_[0]);
    ::close(stop_pipe_[1]);
    if (error_) std::rethrow_exception(error_);
  }

  // Valid after stop().
  const server_stats& stats() const noexcept { return stats_; }

 private:
  void run(std::promise<std::uint16_t>& bound) {
    bool announced = false;
    try {
      runtime rt(ring_);
      listener l(socket_address::parse("127.0.0.1", 0));
      server srv(handler_, limits_);
      bound.set_value(l.port());
      announced = true;
      rt.block_on(detail::serve_until_stopped(&srv, &l, stop_pipe_[0]));
      stats_ = srv.stats();
    } catch (...) {
      if (announced) {
        error_ = std::current_exception();
      } else {
        bound.set_exception(std::current_exception());
      }
    }
  }

  handler& handler_;
  server_limits limits_;
  runtime::options ring_;
  int stop_pipe_[2] = {-1, -1};
  bool stop_requested_ = false;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::exception_ptr error_;
  server_stats stats_;
};

}  // namespace coring::http::test
