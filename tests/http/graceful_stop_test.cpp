// Graceful stop: a request that reached the server in the same instant as the stop
// is answered (with connection: close), not dropped; and while in-flight requests
// drain, new connections are refused rather than queued.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/io.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

using namespace std::chrono_literals;

// The server thread is held inside a handler while the stop request and a request on
// an idle connection both arrive, so its next turn sees them together: the stop first
// (it cancels the idle connection's receive), then the bytes. Those bytes must still
// be answered.
TEST(GracefulStop, RequestArrivingWithTheStopIsAnswered) {
  fn_handler h([](request& req, response& res) {
    if (req.path == "/busy") std::this_thread::sleep_for(150ms);  // holds the loop
    res.body(req.path);
  });
  test_server srv(h);
  client idle(srv.port());
  ASSERT_EQ(idle.roundtrip(get_request("/warm")).body, "/warm");
  client busy(srv.port());
  busy.send(get_request("/busy"));
  std::this_thread::sleep_for(50ms);  // the server thread is now inside /busy

  srv.begin_stop();
  std::this_thread::sleep_for(10ms);
  idle.send(get_request("/last"));

  EXPECT_EQ(busy.expect_response().body, "/busy");
  std::optional<http_response> last = idle.read_response();
  ASSERT_TRUE(last.has_value()) << "the request that arrived with the stop was dropped";
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->body, "/last");
  EXPECT_EQ(last->header("connection"), "close");
  srv.stop();
}

// Holds every request in handle_async() until release() is called from the test thread
// (a byte on a pipe the server thread polls), so a request stays in flight for as long
// as the test needs.
class held_handler final : public handler {
 public:
  held_handler() {
    if (::pipe2(release_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~held_handler() override {
    ::close(release_[0]);
    ::close(release_[1]);
  }
  bool handle(request&, response&) override { return false; }
  task<void> handle_async(request& req, response& res) override {
    entered = true;
    co_await poll(descriptor{release_[0], false}, POLLIN);
    res.body(req.path);
  }
  void release() {
    const char byte = 1;
    (void)!::write(release_[1], &byte, 1);
  }
  std::atomic<bool> entered{false};

 private:
  int release_[2];
};

// While a stopping server drains an in-flight request, new connections are refused
// (its listening socket is closed), not left waiting in the accept queue until the
// drain ends: a load balancer's health check and retries move on at once.
TEST(GracefulStop, NewConnectionsAreRefusedWhileInFlightRequestsDrain) {
  held_handler h;
  test_server srv(h);
  client slow(srv.port());
  slow.send(get_request("/slow"));
  for (int i = 0; i < 2000 && !h.entered; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(h.entered) << "the request never reached the handler";

  srv.begin_stop();
  int refused = 0;
  for (int i = 0; i < 2000 && refused == 0; ++i) {
    const int fd = try_connect(srv.port());
    if (fd == -ECONNRESET) continue;  // the listener closed during this handshake: retry
    if (fd < 0) {
      refused = -fd;
    } else {
      ::close(fd);
      std::this_thread::sleep_for(1ms);
    }
  }
  EXPECT_EQ(refused, ECONNREFUSED) << "connections were still accepted while draining";

  h.release();
  const http_response r = slow.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/slow");
  EXPECT_TRUE(slow.closed_within(2s)) << "the drained connection was left open";
  srv.stop();
}

}  // namespace
}  // namespace coring::http::test
