// The Date header: IMF-fixdate (RFC 9110 §5.6.7), 29 characters, the current time,
// rebuilt at most once per second.

#include "http/date.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <ctime>
#include <regex>
#include <string>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

const std::regex imf_fixdate(
    R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");

long long parse_fixdate(const std::string& text) {
  tm parts{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return -1;
  return static_cast<long long>(timegm(&parts));
}

TEST(Date, FormatsKnownInstants) {
  char out[29];
  format_http_date(784111777, out);  // the example in RFC 9110
  EXPECT_EQ(std::string(out, 29), "Sun, 06 Nov 1994 08:49:37 GMT");
  format_http_date(0, out);
  EXPECT_EQ(std::string(out, 29), "Thu, 01 Jan 1970 00:00:00 GMT");
  format_http_date(951782400, out);  // leap day
  EXPECT_EQ(std::string(out, 29), "Tue, 29 Feb 2000 00:00:00 GMT");
  format_http_date(4102444799, out);
  EXPECT_EQ(std::string(out, 29), "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST(Date, CurrentDateIsImfFixdateAndNow) {
  const std::string d(http_date());
  ASSERT_EQ(d.size(), 29u);
  EXPECT_TRUE(std::regex_match(d, imf_fixdate)) << d;
  EXPECT_LE(std::llabs(parse_fixdate(d) - static_cast<long long>(std::time(nullptr))), 2) << d;
}

TEST(Date, ChangesAtMostOncePerSecond) {
  std::string last(http_date());
  int changes = 0;
  auto last_change = steady::now();
  const auto start = steady::now();
  while (steady::now() - start < 2300ms) {
    const std::string_view now = http_date();
    if (now != last) {
      if (changes > 0) {
        EXPECT_GE(steady::now() - last_change, 900ms) << "date changed twice within a second";
      }
      EXPECT_EQ(parse_fixdate(std::string(now)), parse_fixdate(last) + 1);
      last = std::string(now);
      last_change = steady::now();
      ++changes;
    }
  }
  EXPECT_GE(changes, 2);  // 2.3 s cross at least two second boundaries
  EXPECT_LE(changes, 3);
}

TEST(Date, ResponsesCarryTheDateHeader) {
  fn_handler h = echo_path_handler();
  test_server srv(h);
  client c(srv.port());
  const http_response r = c.roundtrip(get_request("/"));
  ASSERT_TRUE(r.header("date").has_value()) << r.raw;
  EXPECT_EQ(r.header("date")->size(), 29u);
  EXPECT_TRUE(std::regex_match(*r.header("date"), imf_fixdate)) << *r.header("date");
  EXPECT_LE(
      std::llabs(parse_fixdate(*r.header("date")) - static_cast<long long>(std::time(nullptr))), 2);
}

}  // namespace
}  // namespace coring::http::test
