// RFC 9110 / 9112 rules, each checked by sending the bytes to a live server: Host
// (missing or doubled: 400), absolute-form targets routed by their path, obs-fold (400),
// trailing whitespace trimmed from field values, transfer codings other than chunked
// (501), HTTP/1.x minor versions above 1 served as 1.1, and an unknown method (any
// token, lowercase too) 501.

#include <gtest/gtest.h>

#include <string>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

class Conformance : public testing::Test {
 protected:
  // Echoes what the handler saw: path, query, and the value of X-Probe between brackets.
  fn_handler handler_{[](request& req, response& res) {
    res.body(std::string(req.path) + "?" + std::string(req.query) + " [" +
             std::string(req.header("x-probe")) + "] " + std::string(req.body));
  }};
  test_server server_{handler_};

  http_response answer(const std::string& wire) {
    client c(server_.port());
    return c.roundtrip(wire);
  }
  void expect_status(const std::string& wire, int status) {
    const http_response r = answer(wire);
    EXPECT_EQ(r.status, status) << testing::PrintToString(wire) << "\n" << r.raw;
  }
};

TEST_F(Conformance, Http11WithoutHostIs400) {
  expect_status("GET / HTTP/1.1\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nX-Probe: 1\r\n\r\n", 400);
  expect_status("GET / HTTP/1.0\r\n\r\n", 200);  // Host is optional in 1.0
}

TEST_F(Conformance, TwoHostFieldsOrAnInvalidHostAre400) {
  expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400);
  expect_status("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200);
  expect_status("GET / HTTP/1.1\r\nHost:\r\n\r\n", 200);  // empty: allowed (RFC 9112 §3.2)
}

// The server remembers the last valid Host it saw: a valid one right before an invalid
// one of the same length, or a longer one sharing its prefix, must not let it through.
TEST_F(Conformance, AnInvalidHostAfterAValidOneIsStill400) {
  expect_status("GET / HTTP/1.1\r\nHost: example.org:80\r\n\r\n", 200);
  expect_status("GET / HTTP/1.1\r\nHost: example.org:80\r\n\r\n", 200);
  expect_status("GET / HTTP/1.1\r\nHost: example.org/80\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: example.org:80@x\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: example.org:80\r\n\r\n", 200);
}

TEST_F(Conformance, AbsoluteFormIsRoutedByItsPath) {
  EXPECT_EQ(answer("GET http://h:80/v1/user?id=7 HTTP/1.1\r\nHost: h\r\n\r\n").body,
            "/v1/user?id=7 [] ");
  EXPECT_EQ(answer("GET HTTPS://h/a/b HTTP/1.1\r\nHost: h\r\n\r\n").body, "/a/b? [] ");
  EXPECT_EQ(answer("GET http://h:80 HTTP/1.1\r\nHost: h\r\n\r\n").body, "/? [] ");
  EXPECT_EQ(answer("GET http://h?q=1 HTTP/1.1\r\nHost: h\r\n\r\n").body, "/?q=1 [] ");
}

TEST_F(Conformance, ObsFoldIs400) {
  expect_status("GET / HTTP/1.1\r\nHost: h\r\nX-Probe: a\r\n b\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: h\r\nX-Probe: a\r\n\tb\r\n\r\n", 400);
  expect_status("GET / HTTP/1.1\r\nHost: h\r\nX-Probe:\r\n b\r\n\r\n", 400);
  // Inner whitespace is no fold.
  EXPECT_EQ(answer("GET / HTTP/1.1\r\nHost: h\r\nX-Probe: a  b\r\n\r\n").body, "/? [a  b] ");
}

TEST_F(Conformance, TrailingWhitespaceIsTrimmedFromFieldValues) {
  EXPECT_EQ(answer("GET / HTTP/1.1\r\nHost: h\r\nX-Probe: v \t \r\n\r\n").body, "/? [v] ");
  client c(server_.port());
  c.send("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue \r\n\r\n");
  EXPECT_EQ(c.expect_response().status, 100);
  c.send("ok");
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/up? [] ok");
}

TEST_F(Conformance, TransferCodingsOtherThanChunkedAre501) {
  const std::string body = "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked" + body, 501);
  expect_status(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
      "Transfer-Encoding: chunked" +
          body,
      501);
  expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity" + body, 501);
  EXPECT_EQ(answer("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked " + body).body,
            "/? [] hello");
}

// The header checks run in one pass over the fields: the answer must not depend on the
// fields' order, and a Host error outranks a transfer-coding one wherever each sits.
TEST_F(Conformance, HostErrorOutranksTransferCodingErrorInEitherOrder) {
  const std::string body = "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nHost: a b" + body, 400);
  expect_status("POST / HTTP/1.1\r\nHost: a b\r\nTransfer-Encoding: gzip" + body, 400);
  expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nHost: a\r\nHost: a" + body, 400);
  expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nHost: ok" + body, 501);
  // Fields named like the checked ones but longer or shorter are not mistaken for them.
  expect_status("GET / HTTP/1.1\r\nHosts: a\r\nHos: a\r\n\r\n", 400);  // still no Host
  EXPECT_EQ(answer("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encodings: gzip\r\n\r\n").status, 200);
}

TEST_F(Conformance, OnlyTheFirstExpectFieldCounts) {
  client c(server_.port());
  c.send(
      "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n"
      "Expect: other\r\n\r\n");
  EXPECT_EQ(c.expect_response().status, 100);
  c.send("ok");
  EXPECT_EQ(c.expect_response().status, 200);
}

TEST_F(Conformance, HigherMinorVersionIsServedAs11) {
  client c(server_.port());
  for (const char* version : {"HTTP/1.2", "HTTP/1.9"}) {
    const http_response r = c.roundtrip(std::string("GET / ") + version + "\r\nHost: h\r\n\r\n");
    EXPECT_EQ(r.status, 200) << version;
    EXPECT_EQ(r.raw.substr(0, 9), "HTTP/1.1 ") << version;
    EXPECT_FALSE(r.header("connection").has_value()) << "kept alive like 1.1: " << r.raw;
  }
  expect_status("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
  expect_status("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505);
}

TEST_F(Conformance, UnknownMethodTokensAre501GarbageIs400) {
  for (const char* method : {"get", "GETX", "Get", "FOO", "X-CUSTOM!"}) {
    expect_status(std::string(method) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 501);
  }
  expect_status("G\x01T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  expect_status("(GET) / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

TEST_F(Conformance, HeadGetsTheGetHeadersWithoutTheBody) {
  client c(server_.port());
  const http_response r = c.roundtrip("HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n", /*no_body=*/true);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), std::to_string(std::string("/x? [] ").size()));
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(c.roundtrip(get_request("/after")).status, 200);  // nothing stray was sent
}

}  // namespace
}  // namespace coring::http::test
