// Header-read timeout (408) and keep-alive idle timeout, with short limits.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

server_limits short_timeouts() {
  server_limits l;
  l.header_timeout = 300ms;
  l.idle_timeout = 400ms;
  return l;
}

TEST(Timeouts, IncompleteHeaderGets408AndClose) {
  fn_handler h = echo_path_handler();
  test_server srv(h, short_timeouts());
  client c(srv.port());
  const auto start = steady::now();
  c.send("GET /stalled HTTP/1.1\r\nHost: h\r\n");  // no blank line: never complete
  const http_response r = c.expect_response(false, 5s);
  const auto waited = steady::now() - start;
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_GE(waited, 250ms);  // not before the timeout (coarse clock: a few ms early)
  EXPECT_LT(waited, 2s);
  EXPECT_TRUE(c.closed_within(2s));
  EXPECT_EQ(client(srv.port()).roundtrip(get_request("/ok")).status, 200);
}

TEST(Timeouts, IdleKeepAliveConnectionIsClosedWithoutAResponse) {
  fn_handler h = echo_path_handler();
  test_server srv(h, short_timeouts());
  client c(srv.port());
  EXPECT_EQ(c.roundtrip(get_request("/first")).body, "/first");
  const auto start = steady::now();
  EXPECT_TRUE(c.closed_within(5s)) << "idle connection still open";
  const auto waited = steady::now() - start;
  EXPECT_GE(waited, 300ms);
  EXPECT_LT(waited, 3s);
}

TEST(Timeouts, ConnectionThatNeverSendsIsClosedAfterIdleTimeout) {
  fn_handler h = echo_path_handler();
  test_server srv(h, short_timeouts());
  client c(srv.port());
  EXPECT_TRUE(c.closed_within(5s));
}

TEST(Timeouts, ActiveKeepAliveConnectionOutlivesTheIdleTimeout) {
  fn_handler h = echo_path_handler();
  test_server srv(h, short_timeouts());
  client c(srv.port());
  // Requests every 100 ms for 1 s: each one resets the 400 ms idle timer.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(c.roundtrip(get_request("/r" + std::to_string(i))).body, "/r" + std::to_string(i));
    std::this_thread::sleep_for(100ms);
  }
}

TEST(Timeouts, TricklingHeaderStillTimesOutFromTheFirstByte) {
  // A slowloris client sends a byte every 50 ms. The header timeout bounds the whole
  // request ("first byte → complete request"), so progress must not re-arm it.
  fn_handler h = echo_path_handler();
  test_server srv(h, short_timeouts());
  client c(srv.port());
  const std::string never_done =
      "GET /slowloris HTTP/1.1\r\nHost: h\r\nX-Slow: " + std::string(200, 's');
  const auto start = steady::now();
  int status = 0;
  for (char byte : never_done) {
    try {
      c.send(std::string_view(&byte, 1));
    } catch (const std::system_error&) {
      break;  // closed after the 408
    }
    std::this_thread::sleep_for(50ms);
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) == 1) break;  // the server answered
  }
  if (auto r = c.read_response(false, 2s)) status = r->status;
  EXPECT_EQ(status, 408);
  EXPECT_LT(steady::now() - start, 3s) << "header timeout was re-armed by every byte";
}

TEST(Timeouts, EachPipelinedRequestGetsItsOwnHeaderTimeout) {
  // Every send completes one request and starts the next: the connection always holds
  // a partial request for 1.5 s, 1.5 header timeouts, but no single request takes much
  // longer than 50 ms — 20 times less than the timeout, so a loaded machine that delays
  // the client's wake-ups cannot make one request look slow.
  server_limits limits;
  limits.header_timeout = 1s;
  fn_handler h = echo_path_handler();
  test_server srv(h, limits);
  client c(srv.port());
  c.send("GET /r0 HTTP/1.1\r\nHost: h\r\n");
  for (int i = 1; i <= 30; ++i) {
    std::this_thread::sleep_for(50ms);
    c.send("\r\nGET /r" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n");
    const http_response r = c.expect_response(false, 2s);
    ASSERT_EQ(r.status, 200) << "request " << i - 1 << " timed out";
    EXPECT_EQ(r.body, "/r" + std::to_string(i - 1));
  }
  c.send("\r\n");
  EXPECT_EQ(c.expect_response().body, "/r30");
}

TEST(Timeouts, SlowHeaderClientGets408WhileOthersAreServed) {
  server_limits limits;
  limits.header_timeout = 500ms;
  fn_handler h = echo_path_handler();
  test_server srv(h, limits);

  client slow(srv.port());
  slow.send("GET /slow HTTP/1.1\r\nHost: h\r\n");
  const auto start = steady::now();

  // Meanwhile other clients are answered promptly.
  int served = 0;
  while (steady::now() - start < 400ms) {
    client fast(srv.port());
    const auto t0 = steady::now();
    const http_response r = fast.roundtrip(get_request("/fast" + std::to_string(served)));
    EXPECT_EQ(r.body, "/fast" + std::to_string(served));
    EXPECT_LT(steady::now() - t0, 200ms);
    ++served;
  }
  EXPECT_GT(served, 5);

  const http_response r = slow.expect_response(false, 5s);
  EXPECT_EQ(r.status, 408);
  EXPECT_LT(steady::now() - start, 2s);
  EXPECT_TRUE(slow.closed_within(2s));
}

}  // namespace
}  // namespace coring::http::test
