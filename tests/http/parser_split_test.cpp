// request_parser: a request that arrives in pieces. The connection re-parses from the
// start of a request whenever more bytes arrive, so every proper prefix must be
// `incomplete` (never an error, never a premature `complete`) and the whole request
// must parse to the same method, target, headers and body as when it arrives at once.

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
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n";
  server_limits limits;
  request_parser parser(limits);
  request req;
  ASSERT_EQ(parser.parse(wire, req), request_parser::outcome::complete);
  EXPECT_EQ(req.body, "abcd");
  // One piece: no copy, the view points into the input.
  EXPECT_GE(req.body.data(), wire.data());
  EXPECT_LT(req.body.data(), wire.data() + wire.size());
}

TEST(ParserSplit, PipelinedRequestsParseOneAtATime) {
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz";
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
