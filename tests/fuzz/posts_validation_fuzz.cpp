// Fuzz target: posts' POST validation (validate_post) and the JSON it serves back.
// Whatever the body and Content-Type, the answer is a valid post or a 400 / 413 / 415
// whose message names the field (or the body, or the Content-Type). An accepted post
// keeps its fields within the limits, in valid UTF-8, and its to_json parses back with
// simdjson to the same fields, id and timestamp.
//
// Input: one option byte, then the body. Option bits 0-1 choose the Content-Type
// (three spellings of application/json, or 3: the body's bytes up to its first '\n',
// the rest being the body); bit 2 chooses small limits, so that every limit is met.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "post.hpp"
#include "validate.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "posts validation invariant broken: %s (%.*s)\n", what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The media type rule, written again on its own: type before ';', trailing blanks cut,
// compared without case.
bool expect_json_type(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return type == "application/json";
}

bool names_the_culprit(const posts::validation& v) {
  const std::string& e = v.error;
  if (v.status == 415) return e.find("Content-Type") != std::string::npos;
  if (v.status == 413) return e.starts_with("body is larger");
  for (const char* field : {"\"title\"", "\"author\"", "\"body\""}) {
    if (e.starts_with(field)) return true;
  }
  return e.starts_with("body ");
}

void check_field(std::string_view name, std::string_view text, std::size_t limit,
                 bool may_be_empty) {
  if (text.size() > limit) fail("accepted field over its limit", name);
  if (text.empty() && !may_be_empty) fail("accepted empty field", name);
  if (!simdjson::validate_utf8(text.data(), text.size())) fail("accepted invalid UTF-8", name);
}

std::string_view string_of(simdjson::dom::object object, const char* name) {
  std::string_view text;
  if (object[name].get(text) != simdjson::SUCCESS) fail("to_json lost a field", name);
  return text;
}

// to_json parses back to the same post.
void check_round_trip(const posts::post& p) {
  static simdjson::dom::parser parser;
  const std::string json = posts::to_json(p);
  simdjson::dom::object object;
  if (parser.parse(json).get(object) != simdjson::SUCCESS) fail("to_json is not JSON", json);
  std::uint64_t id = 0;
  if (object["id"].get(id) != simdjson::SUCCESS || id != p.id) fail("id differs", json);
  if (string_of(object, "title") != p.title) fail("title differs", json);
  if (string_of(object, "author") != p.author) fail("author differs", json);
  if (string_of(object, "body") != p.body) fail("body differs", json);
  char stamp[24];
  posts::format_timestamp(p.created_ms, stamp);
  if (string_of(object, "createdAt") != std::string_view(stamp, sizeof stamp)) {
    fail("createdAt differs", json);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view types[] = {
      "application/json", "Application/JSON; charset=utf-8", "application/json \t"};
  const std::uint8_t options = data[0];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string_view content_type;
  if ((options & 3) == 3) {
    const std::size_t line = body.find('\n');
    content_type = body.substr(0, line);
    body = line == std::string_view::npos ? std::string_view() : body.substr(line + 1);
  } else {
    content_type = types[options & 3];
  }
  posts::post_limits limits;
  if (options & 4) limits = {.title = 8, .author = 4, .body = 16, .max_post_bytes = 64};
  const std::string owned(body);  // exactly `body`'s bytes, so ASan sees any overread
  const posts::validation v = posts::validate_post(content_type, owned, limits);
  const bool json_type = expect_json_type(content_type);
  if ((v.status == 415) == json_type) fail("415 iff not application/json", content_type);
  if (json_type && (v.status == 413) != (body.size() > limits.max_post_bytes)) {
    fail("413 iff the body is over max_post_bytes", v.error);
  }
  if (v.status != 0) {
    if (v.status != 400 && v.status != 413 && v.status != 415) fail("unexpected status", v.error);
    if (!names_the_culprit(v)) fail("error names no field", v.error);
    return 0;
  }
  if (!v.error.empty()) fail("valid post with an error", v.error);
  check_field("title", v.value.title, limits.title, false);
  check_field("author", v.value.author, limits.author, false);
  check_field("body", v.value.body, limits.body, true);
  posts::post p = v.value;
  p.id = size;
  p.created_ms = 1'767'225'600'000 + static_cast<std::int64_t>(options) * 86'400'123;
  check_round_trip(p);
  return 0;
}
