#include "http/date.hpp"

#include <time.h>

namespace coring::http {
namespace {

struct date_cache {
  long long second = -1;
  char text[29];
};
thread_local date_cache cache;

void put2(char* p, int v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

void format_http_date(long long epoch_seconds, char* out) noexcept {
  static constexpr char days[] = "SunMonTueWedThuFriSat";
  static constexpr char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const time_t t = static_cast<time_t>(epoch_seconds);
  tm parts{};
  gmtime_r(&t, &parts);
  char* p = out;
  for (int i = 0; i < 3; ++i) *p++ = days[parts.tm_wday * 3 + i];
  *p++ = ',';
  *p++ = ' ';
  put2(p, parts.tm_mday);
  p += 2;
  *p++ = ' ';
  for (int i = 0; i < 3; ++i) *p++ = months[parts.tm_mon * 3 + i];
  *p++ = ' ';
  const int year = parts.tm_year + 1900;
  put2(p, year / 100);
  put2(p + 2, year % 100);
  p += 4;
  *p++ = ' ';
  put2(p, parts.tm_hour);
  p[2] = ':';
  put2(p + 3, parts.tm_min);
  p[5] = ':';
  put2(p + 6, parts.tm_sec);
  p += 8;
  *p++ = ' ';
  *p++ = 'G';
  *p++ = 'M';
  *p++ = 'T';
}

std::string_view http_date() noexcept {
  timespec now{};
  clock_gettime(CLOCK_REALTIME_COARSE, &now);  // vDSO: no system call
  if (now.tv_sec != cache.second) {
    cache.second = now.tv_sec;
    format_http_date(now.tv_sec, cache.text);
  }
  return {cache.text, sizeof cache.text};
}

}  // namespace coring::http
