#include "users_body.hpp"

#include <time.h>

#include <cstring>
#include <stdexcept>

#include "users_json.hpp"

namespace user_app {
namespace {

constexpr std::size_t timestamp_length = 24;  // 2023-04-21T12:40:19.925Z
constexpr std::size_t max_head = 128;

// Per thread: the prefix as last built, and the millisecond / second it shows.
struct prefix_cache {
  long long ms = -1;
  long long second = -1;
  std::size_t head_length = 0;
  char text[max_head + timestamp_length];
};
thread_local prefix_cache cache;

void put2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

void put_millis(char* p, int ms) noexcept {
  p[0] = static_cast<char>('0' + ms / 100);
  p[1] = static_cast<char>('0' + ms / 10 % 10);
  p[2] = static_cast<char>('0' + ms % 10);
}

}  // namespace

void format_iso_millis(long long epoch_ms, char* out) noexcept {
  const time_t seconds = static_cast<time_t>(epoch_ms / 1000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  const int year = parts.tm_year + 1900;
  put2(out, year / 100);
  put2(out + 2, year % 100);
  out[4] = '-';
  put2(out + 5, parts.tm_mon + 1);
  out[7] = '-';
  put2(out + 8, parts.tm_mday);
  out[10] = 'T';
  put2(out + 11, parts.tm_hour);
  out[13] = ':';
  put2(out + 14, parts.tm_min);
  out[16] = ':';
  put2(out + 17, parts.tm_sec);
  out[19] = '.';
  put_millis(out + 20, static_cast<int>(epoch_ms % 1000));
  out[23] = 'Z';
}

users_body::users_body() {
  const std::string_view file(reinterpret_cast<const char*>(users_json), users_json_size);
  const std::string_view key = "\"createdAt\"";
  std::size_t at = file.find(key);
  if (at == std::string_view::npos) throw std::runtime_error("users.json: no \"createdAt\"");
  at = file.find('"', at + key.size());  // the opening quote of the value
  if (at == std::string_view::npos || at + 1 + timestamp_length >= file.size() ||
      file[at + timestamp_length] != 'Z' || file[at + 1 + timestamp_length] != '"' ||
      at + 1 > max_head) {
    throw std::runtime_error("users.json: the first createdAt is not a 24-character timestamp");
  }
  head_ = file.substr(0, at + 1);
  rest_ = file.substr(at + 1 + timestamp_length);
  prefix_length_ = head_.size() + timestamp_length;
}

std::string_view users_body::prefix() const noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);  // vDSO: no system call
  const long long ms = static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
  prefix_cache& c = cache;
  if (ms != c.ms) {
    if (c.head_length != head_.size()) {  // first use on this thread
      std::memcpy(c.text, head_.data(), head_.size());
      c.head_length = head_.size();
      c.second = -1;
    }
    char* ts = c.text + c.head_length;
    if (now.tv_sec != c.second) {
      format_iso_millis(ms, ts);
      c.second = now.tv_sec;
    } else {
      put_millis(ts + 20, static_cast<int>(ms % 1000));  // same second: only the millis move
    }
    c.ms = ms;
  }
  return {c.text, prefix_length_};
}

}  // namespace user_app
