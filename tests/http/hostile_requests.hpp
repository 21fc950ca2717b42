#pragma once
// The hostile-input corpus of the HTTP server's tests: the valid requests that
// hostile_input.hpp mutates, and the small limits they run under (so that every limit
// is within the mutations' reach). Shared by the live-server campaign
// (hostile_input_test.cpp) and the segmentation test, which feeds the same corpus to
// the parser whole and cut.

#include <chrono>
#include <string>
#include <vector>

#include "http/limits.hpp"

namespace coring::http::test {

inline server_limits hostile_limits() {
  server_limits l;
  l.max_header_bytes = 2048;
  l.max_headers = 16;
  l.max_uri_bytes = 512;
  l.max_body_bytes = 4096;
  l.header_timeout = std::chrono::seconds(3);
  return l;
}

// Every template is a valid request answered 200 by a handler that accepts anything.
inline std::vector<std::string> hostile_templates() {
  return {
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n",
      "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n",
      "DELETE /d/e HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(300, 'v') + "\r\n\r\n",
      "GET / HTTP/1.0\r\n\r\n",
      "GET http://h:1/abs?q HTTP/1.2\r\nHost: h \r\n\r\n",
  };
}

}  // namespace coring::http::test
