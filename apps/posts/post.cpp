#include "post.hpp"

#include <time.h>

#include <charconv>
#include <cstdio>

namespace posts {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          const char escaped[6] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 15]};
          out.append(escaped, sizeof escaped);
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string to_json(const post& p) {
  std::string out;
  out.reserve(96 + p.title.size() + p.author.size() + p.body.size());
  out += "{\"id\":";
  char number[24];
  out.append(number, std::to_chars(number, number + sizeof number, p.id).ptr);
  out += ",\"title\":";
  append_json_string(out, p.title);
  out += ",\"author\":";
  append_json_string(out, p.author);
  out += ",\"body\":";
  append_json_string(out, p.body);
  out += ",\"createdAt\":\"";
  char stamp[24];
  format_timestamp(p.created_ms, stamp);
  out.append(stamp, sizeof stamp);
  out += "\"}";
  return out;
}

void format_timestamp(std::int64_t epoch_ms, char* out) noexcept {
  const time_t seconds = static_cast<time_t>(epoch_ms / 1000);
  tm t{};
  gmtime_r(&seconds, &t);
  char text[96];  // room for any int the format could print
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>(epoch_ms % 1000));
  for (int i = 0; i < 24; ++i) out[i] = text[i];
}

std::int64_t now_ms() noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

}  // namespace posts
