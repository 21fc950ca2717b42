#pragma once
// connection_feed: drives request_parser over one byte stream cut into pieces exactly
// as a connection does — each piece in a fresh buffer after what is left of the last
// one, complete requests taken off the front, an incomplete one passed again from its
// first byte with the new bytes appended — and checks the parser's invariants on the
// way (views inside the current input, each byte scanned once, a complete request or a
// definite error). Used by the segmentation test and the request-parser fuzz target.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/conformance.hpp"
#include "http/parser.hpp"

namespace coring::http::test {

struct feed_result {
  std::vector<std::string> answers;  // one line per request, then "error N" / "incomplete"
  std::vector<std::string> violations;
};

namespace feed_detail {

inline bool inside(std::string_view view, std::string_view buffer) {
  return view.empty() || (view.data() >= buffer.data() &&
                          view.data() + view.size() <= buffer.data() + buffer.size());
}

// A line that identifies everything a handler would see; checks the views on the way.
// `buffer`: the whole current input. A body in several pieces is a copy (outside it).
inline std::string describe(const request& r, std::string_view taken, std::string_view buffer,
                            std::vector<std::string>& violations) {
  std::string line = std::string(r.method_name) + " " + std::string(r.target) +
                     " path=" + std::string(r.path) + " query=" + std::string(r.query);
  if (!inside(r.target, taken) || !inside(r.query, taken) ||
      !(inside(r.path, taken) || r.path.data() == conformance::root_path.data())) {
    violations.push_back("target/path/query view outside the request's bytes");
  }
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    const header_field& f = r.header_at(i);
    if (!inside(f.name, taken) || !inside(f.value, taken)) {
      violations.push_back("header view outside the request's bytes");
    }
    line += " {" + std::string(f.name) + ":" + std::string(f.value) + "}";
  }
  const bool copied = r.body.data() + r.body.size() <= buffer.data() ||
                      r.body.data() >= buffer.data() + buffer.size();
  if (!inside(r.body, taken) && !copied) violations.push_back("body view outside its request");
  line += " body=" + std::string(r.body) + (r.keep_alive ? " keep" : " close");
  line += " v1." + std::to_string(r.version_minor);
  return line;
}

}  // namespace feed_detail

// `cuts`: ascending positions in `wire` where a new receive starts.
inline feed_result feed_like_a_connection(const server_limits& limits, std::string_view wire,
                                          const std::vector<std::size_t>& cuts) {
  feed_result out;
  request_parser parser(limits);
  request req;
  std::string pending;  // the unparsed tail, as the connection's assembly buffer
  std::size_t consumed_total = 0;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t to = i < cuts.size() ? std::min(cuts[i], wire.size()) : wire.size();
    if (to < from) continue;
    // A fresh heap buffer each time: a view left pointing into an old one is caught by
    // the checks below (and by ASan in the fuzz build).
    auto buffer = std::make_unique<std::string>(pending);
    buffer->append(wire.substr(from, to - from));
    from = to;
    std::string_view input = *buffer;
    while (!input.empty()) {
      const auto outcome = parser.parse(input, req);
      if (outcome == request_parser::outcome::incomplete) break;
      if (outcome == request_parser::outcome::error) {
        out.answers.push_back("error " + std::to_string(parser.error_status()));
        if (parser.bytes_scanned() > wire.size()) out.violations.push_back("bytes scanned twice");
        return out;
      }
      const std::size_t n = parser.consumed();
      if (n == 0 || n > input.size()) {
        out.violations.push_back("complete request consumed " + std::to_string(n) + " of " +
                                 std::to_string(input.size()) + " bytes");
        return out;
      }
      const std::string_view taken = input.substr(0, n);
      out.answers.push_back(feed_detail::describe(req, taken, *buffer, out.violations));
      consumed_total += n;
      input.remove_prefix(n);
      if (!req.keep_alive) return out;  // the connection closes after this answer
    }
    pending.assign(input);
  }
  if (!pending.empty()) out.answers.push_back("incomplete");
  if (parser.bytes_scanned() != consumed_total + pending.size()) {
    out.violations.push_back("scanned " + std::to_string(parser.bytes_scanned()) + " bytes of " +
                             std::to_string(consumed_total + pending.size()));
  }
  return out;
}

}  // namespace coring::http::test
