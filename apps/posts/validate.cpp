#include "validate.hpp"

#include <simdjson.h>

#include "http/request.hpp"

namespace posts {
namespace {

bool is_json_media_type(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  std::size_t end = type.size();
  while (end > 0 && (type[end - 1] == ' ' || type[end - 1] == '\t')) --end;
  return coring::http::iequals(type.substr(0, end), "application/json");
}

validation reject(int status, std::string error) {
  validation v;
  v.status = status;
  v.error = std::move(error);
  return v;
}

// Reads one required string field into `out`; an error message, or empty.
std::string take_field(simdjson::dom::object object, const char* name, std::size_t limit,
                       bool may_be_empty, std::string& out) {
  const std::string quoted = std::string("\"") + name + "\"";
  simdjson::dom::element element;
  if (object[name].get(element) != simdjson::SUCCESS) return quoted + " is missing";
  std::string_view text;
  if (element.get(text) != simdjson::SUCCESS) return quoted + " must be a string";
  if (text.empty() && !may_be_empty) return quoted + " must not be empty";
  if (text.size() > limit) {
    return quoted + " is longer than " + std::to_string(limit) + " bytes";
  }
  out.assign(text);
  return {};
}

}  // namespace

validation validate_post(std::string_view content_type, std::string_view body,
                         const post_limits& limits) {
  if (!is_json_media_type(content_type)) {
    return reject(415, "Content-Type must be application/json");
  }
  if (body.size() > limits.max_post_bytes) {
    return reject(413, "body is larger than " + std::to_string(limits.max_post_bytes) + " bytes");
  }
  // An empty body is no JSON; it is also a null pointer, which simdjson would memcpy from.
  if (body.empty()) return reject(400, "body is not valid JSON");
  thread_local simdjson::dom::parser parser;  // keeps its buffers between requests
  simdjson::dom::element root;
  const simdjson::error_code parsed = parser.parse(body.data(), body.size()).get(root);
  if (parsed == simdjson::UTF8_ERROR) return reject(400, "body is not valid UTF-8");
  if (parsed != simdjson::SUCCESS) return reject(400, "body is not valid JSON");
  simdjson::dom::object object;
  if (root.get(object) != simdjson::SUCCESS) return reject(400, "body must be a JSON object");
  validation v;
  for (const auto& [name, limit, may_be_empty, out] :
       {std::tuple{"title", limits.title, false, &v.value.title},
        std::tuple{"author", limits.author, false, &v.value.author},
        std::tuple{"body", limits.body, true, &v.value.body}}) {
    std::string error = take_field(object, name, limit, may_be_empty, *out);
    if (!error.empty()) return reject(400, std::move(error));
  }
  return v;
}

}  // namespace posts
