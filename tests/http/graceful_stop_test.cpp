// Graceful stop: a request that reached the server in the same instant as the stop
// is answered (with connection: close), not dropped.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace coring::http::test
