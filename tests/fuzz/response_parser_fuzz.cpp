// Fuzz target: the HTTP client's response parser fed one byte stream cut into receives
// at fuzzer-chosen points (each piece in a fresh buffer, as reads arrive), then EOF.
// Aborts when a complete response claims to have consumed nothing or more than its
// piece, or when the outcome (status, fields, body, keep-alive, where the response
// ended) differs from that of the same bytes in one receive.
//
// Input: one byte (bit 0: a response to HEAD; bits 1–3: cuts, 0–7), 2 bytes per cut,
// then the stream.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "http/response_parser.hpp"
#include "tests/fuzz/cut_input.hpp"

namespace {

using coring::http::response_parser;

constexpr std::size_t max_body = 256;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "response_parser invariant: %s\n", what.c_str());
  std::abort();
}

// Everything the client acts on, as one comparable string.
std::string describe(response_parser::outcome o, const coring::http::client_response& r,
                     std::size_t ended_at) {
  std::string s = "outcome " + std::to_string(static_cast<int>(o));
  if (o != response_parser::outcome::complete) return s;
  s += " status " + std::to_string(r.status) + (r.keep_alive ? " keep" : " close");
  s += " at " + std::to_string(ended_at);
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    s += " {" + std::string(r.header_name(i)) + ":" + std::string(r.header_value(i)) + "}";
  }
  return s + " body=" + r.body;
}

std::string run(const std::string& wire, const std::vector<std::size_t>& cuts, bool head) {
  response_parser parser;
  coring::http::client_response r;
  parser.start(r, head, max_body);
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? cuts[i] : wire.size();
    if (to <= from) continue;
    const auto piece = std::make_unique<std::string>(wire.substr(from, to - from));
    const response_parser::outcome o = parser.feed(*piece);
    if (o == response_parser::outcome::complete) {
      if (parser.consumed() == 0 || parser.consumed() > piece->size()) {
        fail("consumed " + std::to_string(parser.consumed()) + " of a " +
             std::to_string(piece->size()) + "-byte piece");
      }
      return describe(o, r, from + parser.consumed());
    }
    if (o != response_parser::outcome::incomplete) return describe(o, r, to);
    if (r.body.size() > max_body) fail("body over the limit kept");
    from = to;
  }
  return describe(parser.finish(), r, wire.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool head = (data[0] & 1) != 0;
  const coring::fuzz::cut_input in =
      coring::fuzz::read_cut_input(data + 1, size - 1, (data[0] >> 1) % 8);
  const std::string whole = run(in.wire, {}, head);
  const std::string split = run(in.wire, in.cuts, head);
  if (whole != split) fail("outcomes differ:\n  whole: " + whole + "\n  split: " + split);
  return 0;
}
