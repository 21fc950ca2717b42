// request_parser: a request that arrives in pieces. The connection passes the request
// from its first byte again whenever more bytes arrive (in a new buffer), and the parser
// resumes where it stopped: every proper prefix must be `incomplete` (never an error,
// never a premature `complete`), the whole request must parse to the same method,
// target, headers and body as when it arrives at once, and each byte is scanned once.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "http/parser.hpp"

namespace coring::http {
namespace {

struct parsed {
  std::string method_name;
  http::method method = method::other;
  std::string target;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool keep_alive = false;
  bool operator==(const parsed&) const = default;
};

parsed copy_of(const request& r) {
  parsed p;
  p.method_name = std::string(r.method_name);
  p.method = r.method;
  p.target = std::string(r.target);
  p.path = std::string(r.path);
  p.query = std::string(r.query);
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    p.headers.emplace_back(std::string(r.header_at(i).name), std::string(r.header_at(i).value));
  }
  p.body = std::string(r.body);
  p.keep_alive = r.keep_alive;
  return p;
}

// Feeds every proper prefix of `wire` (each in its own buffer, so views cannot
// accidentally reach past the prefix), then the whole; returns the complete parse.
parsed parse_every_prefix(const std::string& wire) {
  server_limits limits;
  request_parser parser(limits);
  request req;
  for (std::size_t k = 0; k < wire.size(); ++k) {
    const std::string prefix = wire.substr(0, k);
    const auto outcome = parser.parse(prefix, req);
    EXPECT_EQ(outcome, request_parser::outcome::incomplete)
        << "prefix of " << k << " bytes: " << testing::PrintToString(prefix);
  }
  const std::string whole = wire;
  EXPECT_EQ(parser.parse(whole, req), request_parser::outcome::complete);
  EXPECT_EQ(parser.consumed(), wire.size());
  EXPECT_EQ(parser.bytes_scanned(), wire.size()) << "a resumed request was scanned again";
  return copy_of(req);
}

TEST(ParserSplit, GetWithHeadersAtEveryBytePosition) {
  const std::string wire =
      "GET /users/42?verbose=1 HTTP/1.1\r\n"
      "Host: example.com\r\n"
      "Accept: */*\r\n"
      "X-Multi: a, b\r\n"
      "\r\n";
  parsed expected;
  expected.method_name = "GET";
  expected.method = method::get;
  expected.target = "/users/42?verbose=1";
  expected.path = "/users/42";
  expected.query = "verbose=1";
  expected.headers = {{"Host", "example.com"}, {"Accept", "*/*"}, {"X-Multi", "a, b"}};
  expected.keep_alive = true;
  EXPECT_EQ(parse_every_prefix(wire), expected);
}

TEST(ParserSplit, PostWithContentLengthBodyAtEveryBytePosition) {
  const std::string wire =
      "POST /submit HTTP/1.1\r\n"
      "Host: h\r\n"
      "Content-Length: 11\r\n"
      "Connection: close\r\n"
      "\r\n"
      "hello world";
  parsed expected;
  expected.method_name = "POST";
  expected.method = method::post;
  expected.target = "/submit";
  expected.path = "/submit";
  expected.headers = {{"Host", "h"}, {"Content-Length", "11"}, {"Connection", "close"}};
  expected.body = "hello world";
  expected.keep_alive = false;
  EXPECT_EQ(parse_every_prefix(wire), expected);
}

TEST(ParserSplit, ChunkedBodyIsDechunkedAtEveryBytePosition) {
  const std::string wire =
      "PUT /upload HTTP/1.1\r\n"
      "Host: h\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "5\r\nhello\r\n"
      "1;ext=1\r\n \r\n"
      "a\r\n0123456789\r\n"
      "0\r\n"
      "\r\n";
  parsed expected;
  expected.method_name = "PUT";
  expected.method = method::put;
  expected.target = "/upload";
  expected.path = "/upload";
  expected.headers = {{"Host", "h"}, {"Transfer-Encoding", "chunked"}};
  expected.body = "hello 0123456789";
  expected.keep_alive = true;
  EXPECT_EQ(parse_every_prefix(wire), expected);
}

TEST(ParserSplit, SingleChunkBodyStaysAViewIntoTheInput) {
  const std::string wire =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n";
  server_limits limits;
  request_parser parser(limits);
  request req;
  ASSERT_EQ(parser.parse(wire, req), request_parser::outcome::complete);
  EXPECT_EQ(req.body, "abcd");
  // One piece: no copy, the view points into the input.
  EXPECT_GE(req.body.data(), wire.data());
  EXPECT_LT(req.body.data(), wire.data() + wire.size());
}

// The denial of service a re-parsing design invites: a chunked body in 1-byte chunks,
// trickled a few bytes at a time. Each piece must cost its own bytes, not the request's.
TEST(ParserSplit, TrickledChunkedBodyIsScannedOnceAndDechunked) {
  std::string wire = "POST /t HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string expected_body;
  for (int i = 0; i < 5000; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    wire += "1\r\n";
    wire += c;
    wire += "\r\n";
    expected_body += c;
  }
  wire += "0\r\n\r\n";
  server_limits limits;
  request_parser parser(limits);
  request req;
  std::string buffer;  // grows like the connection's assembly buffer, reallocating as it goes
  request_parser::outcome outcome = request_parser::outcome::incomplete;
  for (std::size_t at = 0; at < wire.size(); at += 7) {
    buffer.append(wire, at, 7);
    buffer.shrink_to_fit();  // force a move now and then
    outcome = parser.parse(buffer, req);
    if (buffer.size() < wire.size()) {
      ASSERT_EQ(outcome, request_parser::outcome::incomplete) << "after " << buffer.size();
    }
  }
  ASSERT_EQ(outcome, request_parser::outcome::complete);
  EXPECT_EQ(req.body, expected_body);
  EXPECT_EQ(req.path, "/t");
  EXPECT_EQ(req.header("transfer-encoding"), "chunked");
  EXPECT_EQ(parser.bytes_scanned(), wire.size());  // re-parsing would scan ~2,400× more
}

TEST(ParserSplit, ContentLengthBodyInPiecesStaysOneViewIntoTheLastInput) {
  const std::string head = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
  server_limits limits;
  request_parser parser(limits);
  request req;
  const std::string first = head + "01234";
  ASSERT_EQ(parser.parse(first, req), request_parser::outcome::incomplete);
  const std::string whole = head + "0123456789";
  ASSERT_EQ(parser.parse(whole, req), request_parser::outcome::complete);
  EXPECT_EQ(req.body, "0123456789");
  EXPECT_EQ(req.body.data(), whole.data() + head.size());  // moved onto `whole`, not copied
  EXPECT_EQ(req.path.data(), whole.data() + 5);
}

TEST(ParserSplit, ResetForgetsAnIncompleteRequest) {
  server_limits limits;
  request_parser parser(limits);
  request req;
  ASSERT_EQ(parser.parse("POST /half HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nab", req),
            request_parser::outcome::incomplete);
  parser.reset();
  const std::string next = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(parser.parse(next, req), request_parser::outcome::complete);
  EXPECT_EQ(req.path, "/next");
  EXPECT_EQ(req.method, method::get);
}

TEST(ParserSplit, PipelinedRequestsParseOneAtATime) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
  const std::string wire = first + second + "GET /c";
  server_limits limits;
  request_parser parser(limits);
  request req;
  std::string_view input = wire;
  ASSERT_EQ(parser.parse(input, req), request_parser::outcome::complete);
  EXPECT_EQ(req.path, "/a");
  EXPECT_EQ(parser.consumed(), first.size());
  input.remove_prefix(parser.consumed());
  ASSERT_EQ(parser.parse(input, req), request_parser::outcome::complete);
  EXPECT_EQ(req.path, "/b");
  EXPECT_EQ(req.body, "xyz");
  input.remove_prefix(parser.consumed());
  EXPECT_EQ(parser.parse(input, req), request_parser::outcome::incomplete);
}

}  // namespace
}  // namespace coring::http
