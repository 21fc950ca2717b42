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
  const std::size_t cut_count = data[0] % 8;
  std::size_t at = 1;
  std::vector<std::uint16_t> raw_cuts;
  for (std::size_t i = 0; i < cut_count && at + 2 <= size; ++i, at += 2) {
    raw_cuts.push_back(static_cast<std::uint16_t>(data[at] | (data[at + 1] << 8)));
  }
  const std::string wire(reinterpret_cast<const char*>(data) + at, size - at);
  std::vector<std::size_t> cuts;
  for (std::uint16_t c : raw_cuts) cuts.push_back(wire.empty() ? 0 : c % (wire.size() + 1));
  std::sort(cuts.begin(), cuts.end());

  const auto whole = coring::http::test::feed_like_a_connection(limits, wire, {});
  const auto split = coring::http::test::feed_like_a_connection(limits, wire, cuts);
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
