// Fuzz target: the request parser fed one byte stream cut into receives at
// fuzzer-chosen points and resumed as a connection does (tests/http/connection_feed.hpp).
// Aborts when an invariant breaks — a view outside its request's bytes, a byte scanned
// twice, a complete request that consumed nothing or more than it had — or when the
// answers (every request as a handler would see it, then the error status) differ from
// those of the same bytes in one receive.
//
// Input: one byte n (how many cuts, 0–7), n × 2 bytes of cut positions, then the stream.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/fuzz/cut_input.hpp"
#include "tests/http/connection_feed.hpp"

namespace {

coring::http::server_limits small_limits() {
  coring::http::server_limits l;  // small, so that every limit is within reach
  l.max_header_bytes = 512;
  l.max_headers = 8;
  l.max_uri_bytes = 128;
  l.max_body_bytes = 256;
  return l;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "request_parser invariant: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const coring::http::server_limits limits = small_limits();
  const coring::fuzz::cut_input in = coring::fuzz::read_cut_input(data + 1, size - 1, data[0] % 8);
  const auto whole = coring::http::test::feed_like_a_connection(limits, in.wire, {});
  const auto split = coring::http::test::feed_like_a_connection(limits, in.wire, in.cuts);
  for (const auto* run : {&whole, &split}) {
    if (!run->violations.empty()) fail(run->violations.front());
  }
  if (whole.answers != split.answers) {
    std::string diff = "answers differ:\n";
    for (const std::string& a : whole.answers) diff += "  whole: " + a + "\n";
    for (const std::string& a : split.answers) diff += "  split: " + a + "\n";
    fail(diff);
  }
  return 0;
}
