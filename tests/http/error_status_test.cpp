// Every limit and protocol error gets its status and a closed connection — and the
// server goes on serving everyone else.

#include <gtest/gtest.h>

#include <string>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

// Small limits, so violating them is cheap.
server_limits small_limits() {
  server_limits l;
  l.max_header_bytes = 1024;
  l.max_headers = 8;
  l.max_uri_bytes = 256;
  l.max_body_bytes = 1000;
  return l;
}

class ErrorStatus : public testing::Test {
 protected:
  fn_handler handler_{[](request& req, response& res) { res.body("ok " + std::string(req.path)); }};
  test_server server_{handler_, small_limits()};

  // Sends `wire` on a fresh connection; expects `status`, "connection: close" and EOF.
  void expect_error_and_close(const std::string& wire, int status) {
    client c(server_.port());
    c.send(wire);
    const http_response r = c.expect_response();
    EXPECT_EQ(r.status, status) << r.raw;
    EXPECT_EQ(r.header("connection"), "close") << r.raw;
    EXPECT_TRUE(c.closed_within(2s)) << "connection left open after " << status;
    expect_still_serving();
  }

  // Another connection is served normally.
  void expect_still_serving() {
    client other(server_.port());
    const http_response r = other.roundtrip(get_request("/alive"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "ok /alive");
  }
};

TEST_F(ErrorStatus, HeaderBytesOverLimitGet431) {
  expect_error_and_close(get_request("/", "X-Big: " + std::string(3000, 'x') + "\r\n"), 431);
}

TEST_F(ErrorStatus, HeaderBytesOverLimitInSeveralSegmentsGet431) {
  // Never a complete header block: the server must not buffer past its limit.
  client c(server_.port());
  c.send("GET / HTTP/1.1\r\nHost: h\r\n");
  for (int i = 0; i < 20; ++i) {
    try {
      c.send("X-Filler-" + std::to_string(i) + ": " + std::string(100, 'y') + "\r\n");
    } catch (const std::system_error&) {
      break;  // the server already answered and closed
    }
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_EQ(c.expect_response().status, 431);
  EXPECT_TRUE(c.closed_within(2s));
  expect_still_serving();
}

TEST_F(ErrorStatus, TooManyHeaderFieldsGet431) {
  std::string headers;
  for (int i = 0; i < 20; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";
  expect_error_and_close(get_request("/", headers), 431);
}

TEST_F(ErrorStatus, ExactlyMaxHeaderFieldsIsAccepted) {
  std::string headers;
  for (int i = 0; i < 7; ++i) headers += "X-H" + std::to_string(i) + ": v\r\n";  // + Host = 8
  client c(server_.port());
  EXPECT_EQ(c.roundtrip(get_request("/eight", headers)).status, 200);
}

TEST_F(ErrorStatus, UriOverLimitGets414) {
  expect_error_and_close(get_request("/" + std::string(600, 'u')), 414);
}

TEST_F(ErrorStatus, ContentLengthOverLimitGets413) {
  // Answered from the headers alone, before any body byte is sent.
  expect_error_and_close("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n", 413);
}

TEST_F(ErrorStatus, ChunkedBodyOverLimitGets413) {
  std::string wire = "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) wire += "190\r\n" + std::string(400, 'c') + "\r\n";  // 1200 > 1000
  expect_error_and_close(wire, 413);
}

TEST_F(ErrorStatus, BodyAtTheLimitIsAccepted) {
  client c(server_.port());
  const http_response r = c.roundtrip(
      "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b'));
  EXPECT_EQ(r.status, 200);
}

TEST_F(ErrorStatus, MalformedRequestGets400) {
  expect_error_and_close("GET / HTTP/1.1\r\nHost: h\r\nNoColonHere\r\n\r\n", 400);
}

TEST_F(ErrorStatus, WhitespaceInHeaderNameGets400) {
  // RFC 9112 §5.1: "Transfer-Encoding : chunked" must be rejected, not half-understood.
  expect_error_and_close("GET / HTTP/1.1\r\nHost: h\r\nBad Header Name: x\r\n\r\n", 400);
  expect_error_and_close(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(ErrorStatus, GarbageRequestLineGets400) {
  expect_error_and_close("\x01\x02\x03 nonsense\r\n\r\n", 400);
}

TEST_F(ErrorStatus, Http2VersionGets505) {
  expect_error_and_close("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
}

TEST_F(ErrorStatus, Http31VersionGets505) {
  expect_error_and_close("GET / HTTP/3.1\r\nHost: h\r\n\r\n", 505);
}

TEST_F(ErrorStatus, UnknownMethodTokenGets501) {
  expect_error_and_close("FROBNICATE / HTTP/1.1\r\nHost: h\r\n\r\n", 501);
}

TEST_F(ErrorStatus, ContentLengthWithTransferEncodingGets400) {
  expect_error_and_close(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: "
      "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      400);
}

TEST_F(ErrorStatus, ConflictingContentLengthsGet400) {
  expect_error_and_close(
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400);
}

TEST_F(ErrorStatus, ErrorAfterGoodPipelinedRequestsAnswersThemFirst) {
  client c(server_.port());
  c.send(get_request("/one") + get_request("/two") + "GET / HTTP/9.9\r\n\r\n" +
         get_request("/never"));
  EXPECT_EQ(c.expect_response().body, "ok /one");
  EXPECT_EQ(c.expect_response().body, "ok /two");
  EXPECT_EQ(c.expect_response().status, 505);
  EXPECT_TRUE(c.closed_within(2s)) << "request after the error must not be answered";
}

}  // namespace
}  // namespace coring::http::test
