#pragma once
// post: one stored post, and its JSON object as the API serves it:
//   {"id":7,"title":"...","author":"...","body":"...","createdAt":"2026-01-01T00:07:00.000Z"}
// Strings are escaped for JSON (quote, backslash, control characters); non-ASCII UTF-8
// goes out as is (validated on the way in).

#include <cstdint>
#include <string>
#include <string_view>

namespace posts {

struct post {
  std::uint64_t id = 0;
  std::int64_t created_ms = 0;  // milliseconds since the Unix epoch, UTC
  std::string title;
  std::string author;
  std::string body;
};

// Appends `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);
// The post as a JSON object.
std::string to_json(const post& p);
// "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 characters) into out.
void format_timestamp(std::int64_t epoch_ms, char* out) noexcept;
// Now, in milliseconds since the Unix epoch.
std::int64_t now_ms() noexcept;

}  // namespace posts
