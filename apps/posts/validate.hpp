#pragma once
// validate: checks a POST /posts request with simdjson and extracts the new post.
//
// Content-Type must be application/json (415); the body at most max_post_bytes (413);
// then it must be UTF-8, JSON, an object with string fields "title", "author" and
// "body" within their limits, title and author not empty (400). Other fields are
// ignored. The error message names the field.

#include <cstddef>
#include <string>
#include <string_view>

#include "post.hpp"

namespace posts {

struct post_limits {
  std::size_t title = 200;
  std::size_t author = 100;
  std::size_t body = 10'000;
  std::size_t max_post_bytes = 16 * 1024;
};

struct validation {
  int status = 0;     // 0: valid; otherwise 400, 413 or 415
  std::string error;  // for the {"error": ...} answer
  post value;         // title, author, body when valid
};

validation validate_post(std::string_view content_type, std::string_view body,
                         const post_limits& limits);

}  // namespace posts
