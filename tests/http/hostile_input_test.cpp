// Hostile input: thousands of seeded random mutations of valid requests, from four
// client threads at once (tests/http/hostile_input.hpp). The server must answer each
// with well-framed responses (or close), never with anything else, never die, and
// never lose a request it parsed.

#include "hostile_input.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "hostile_requests.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

namespace hostile = coring::test::hostile;

TEST(HostileInput, MutatedRequestsGetWellFramedAnswersAndNothingIsLost) {
  std::atomic<std::uint64_t> handled{0};
  fn_handler handler([&](request& req, response& res) {
    handled.fetch_add(1, std::memory_order_relaxed);
    res.body(std::string(req.method_name) + " " + std::string(req.path) + " " +
             std::to_string(req.body.size()));
  });
  test_server server(handler, hostile_limits());
  const std::vector<std::string> templates = hostile_templates();
  const std::uint64_t cases = hostile::cases_or(3000);
  const hostile::campaign_result result =
      hostile::run_campaign(server.port(), templates, {200, 400, 408, 413, 414, 431, 501, 505},
                            hostile::app_errors::close, hostile::seed_or(20261123), cases, 4);
  for (const auto& f : result.failures) ADD_FAILURE() << f;

  // Still serving, and every request the server parsed was answered.
  client after(server.port());
  EXPECT_EQ(after.roundtrip(get_request("/after")).status, 200);
  server.stop();
  EXPECT_EQ(server.stats().requests, handled.load());
  EXPECT_EQ(handled.load(), result.ok_responses + 1) << "a parsed request was not answered";
  // The mix really exercised both sides (guards against a generator that only breaks,
  // or only keeps, requests).
  EXPECT_GT(result.valid_cases, cases / 10);
  EXPECT_GT(result.error_responses, cases / 10);
  EXPECT_GT(result.ok_responses, cases / 2);
  std::printf("hostile input: %llu cases, statuses:%s\n", static_cast<unsigned long long>(cases),
              result.histogram().c_str());
}

}  // namespace
}  // namespace coring::http::test
