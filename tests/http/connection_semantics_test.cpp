// Connection semantics: HTTP/1.0 vs 1.1 keep-alive, Connection: close, HEAD,
// Expect: 100-continue, and a handler that forgets to respond.

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

class ConnectionSemantics : public testing::Test {
 protected:
  fn_handler handler_{[](request& req, response& res) {
    if (req.path == "/silent") return;  // forgets to answer
    if (req.path == "/bad-status") return res.send_text(42, "not a status\n");
    if (req.path == "/interim-status") return res.send_text(103, "early hints are not final\n");
    if (req.path == "/204-with-body") {
      res.status(204);
      return res.body("a body a 204 cannot have");
    }
    if (req.method == method::post) {
      res.body("got " + std::string(req.body));
    } else {
      res.body_static("Hello world!");
    }
  }};
  test_server server_{handler_};
};

TEST_F(ConnectionSemantics, Http11KeepsTheConnectionOpenByDefault) {
  client c(server_.port());
  for (int i = 0; i < 3; ++i) {
    const http_response r = c.roundtrip(get_request("/"));
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.header("connection").has_value()) << r.raw;
  }
  EXPECT_FALSE(c.closed_within(100ms));
}

TEST_F(ConnectionSemantics, Http10ClosesAfterOneResponse) {
  client c(server_.port());
  c.send("GET / HTTP/1.0\r\n\r\nGET /second HTTP/1.0\r\n\r\n");
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Hello world!");
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closed_within(2s)) << "HTTP/1.0 without keep-alive must close";
}

TEST_F(ConnectionSemantics, Http10WithKeepAliveStaysOpenAndEchoesIt) {
  client c(server_.port());
  for (int i = 0; i < 3; ++i) {
    const http_response r = c.roundtrip("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("connection"), "keep-alive") << r.raw;
  }
  EXPECT_FALSE(c.closed_within(100ms));
}

TEST_F(ConnectionSemantics, ConnectionCloseIsHonouredAndLaterPipelinedRequestsIgnored) {
  client c(server_.port());
  c.send(get_request("/", "Connection: close\r\n") + get_request("/ignored"));
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(c.closed_within(2s)) << "a request after Connection: close was answered";
}

TEST_F(ConnectionSemantics, HeadHasContentLengthButNoBody) {
  client c(server_.port());
  // HEAD then GET pipelined: the GET response must start right after the HEAD headers.
  c.send("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n" + get_request("/"));
  const http_response head = c.expect_response(/*no_body=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "12");
  EXPECT_TRUE(head.body.empty());
  const http_response get = c.expect_response();
  EXPECT_EQ(get.status_line, "HTTP/1.1 200 OK");
  EXPECT_EQ(get.body, "Hello world!");
  EXPECT_TRUE(c.pending().empty());
}

TEST_F(ConnectionSemantics, ExpectContinueGetsInterim100ThenTheResponse) {
  client c(server_.port());
  c.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const http_response interim = c.expect_response(false, 2s);
  EXPECT_EQ(interim.status_line, "HTTP/1.1 100 Continue");
  EXPECT_TRUE(interim.headers.empty());
  c.send("hello");
  const http_response final_response = c.expect_response();
  EXPECT_EQ(final_response.status, 200);
  EXPECT_EQ(final_response.body, "got hello");
  // Exactly one interim response per request: a second request gets its own.
  c.send("POST /again HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(c.expect_response(false, 2s).status, 100);
  c.send("ok");
  EXPECT_EQ(c.expect_response().body, "got ok");
}

TEST_F(ConnectionSemantics, ExpectContinueWithBodyAlreadySentSkipsTheInterim) {
  client c(server_.port());
  const http_response r = c.roundtrip(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "got abc");
}

// A request trickled in many receives is resumed, not re-parsed: the server scans each
// received byte once (server_stats::bytes_parsed), so a slow client costs its bytes.
TEST_F(ConnectionSemantics, TrickledChunkedRequestIsParsedOnce) {
  std::string wire = "POST /slow HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2000; ++i) wire += "1\r\nz\r\n";
  wire += "0\r\n\r\n";
  client c(server_.port());
  for (std::size_t at = 0; at < wire.size(); at += 100) {
    c.send(std::string_view(wire).substr(at, 100));
    std::this_thread::sleep_for(200us);  // separate receives, mostly
  }
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "got " + std::string(2000, 'z'));
  c.send("GET /end HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.expect_response().status, 200);
  server_.stop();
  const std::size_t end_request =
      std::string("GET /end HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").size();
  EXPECT_EQ(server_.stats().bytes_parsed, wire.size() + end_request);
  EXPECT_EQ(server_.stats().requests, 2u);
}

TEST_F(ConnectionSemantics, StatusOutsideTheValidRangeIsSentAs500) {
  client c(server_.port());
  const http_response r = c.roundtrip(get_request("/bad-status"));
  EXPECT_EQ(r.status, 500) << r.raw;
  EXPECT_EQ(r.status_line, "HTTP/1.1 500 Internal Server Error");
  EXPECT_EQ(c.roundtrip(get_request("/")).status, 200);  // the connection is still in sync
}

TEST_F(ConnectionSemantics, InterimStatusAsAFinalAnswerIsSentAs500) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/interim-status")).status, 500);
  EXPECT_EQ(c.roundtrip(get_request("/")).status, 200);
}

// A body given to a 204 is dropped (with its content-length): a client reads none, so
// sent bytes would be taken for the next response.
TEST_F(ConnectionSemantics, NoContentStatusDropsTheBodyAndKeepsTheConnectionInSync) {
  client c(server_.port());
  c.send(get_request("/204-with-body") + get_request("/after"));
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.header("content-length").has_value()) << r.raw;
  const http_response next = c.expect_response();
  EXPECT_EQ(next.status, 200) << next.raw;
  EXPECT_EQ(next.body, "Hello world!");
}

TEST_F(ConnectionSemantics, HandlerThatDoesNotRespondGives500) {
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/silent")).status, 500);
  EXPECT_EQ(c.roundtrip(get_request("/")).status, 200);  // and the connection goes on
}

}  // namespace
}  // namespace coring::http::test
