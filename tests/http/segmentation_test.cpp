// One answer whatever the segmentation: every request of the hostile corpus (seeded
// mutations of valid requests, tests/http/hostile_input.hpp) is fed to the parser
// whole and then cut at every byte and at several random points, resumed as a
// connection does (connection_feed.hpp); the answers must be identical, and the
// parser's invariants hold on every run.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "connection_feed.hpp"
#include "hostile_input.hpp"
#include "hostile_requests.hpp"

namespace coring::http::test {
namespace {

namespace hostile = coring::test::hostile;

// The hostile corpus, plus requests that exercise the rules decided mid-stream.
std::vector<std::string> templates() {
  std::vector<std::string> t = hostile_templates();
  t.push_back("GETX / HTTP/1.1\r\nHost: h\r\n\r\n");
  t.push_back("GET / HTTP/1.1\r\nHost: h\r\nX-Fold: a\r\n b\r\n\r\n");
  return t;
}

// Compares the whole feed with one cut at `cuts`; returns false (and says why) on a
// difference.
bool same_answer(const server_limits& limits, const std::string& wire,
                 const std::vector<std::size_t>& cuts, const feed_result& whole) {
  const feed_result split = feed_like_a_connection(limits, wire, cuts);
  for (const std::string& v : split.violations) ADD_FAILURE() << v;
  if (split.answers == whole.answers) return true;
  std::string where;
  for (std::size_t c : cuts) where += " " + std::to_string(c);
  ADD_FAILURE() << "answers differ when cut at" << where << " of " << testing::PrintToString(wire)
                << "\nwhole: " << testing::PrintToString(whole.answers)
                << "\nsplit: " << testing::PrintToString(split.answers);
  return false;
}

// `wire` whole, cut at each byte, and at `random_cuts` sets of 1–4 random points.
bool one_answer_however_cut(const server_limits& limits, const std::string& wire,
                            std::mt19937_64& rng, int random_cuts) {
  const feed_result whole = feed_like_a_connection(limits, wire, {});
  for (const std::string& v : whole.violations) ADD_FAILURE() << v;
  for (std::size_t at = 1; at < wire.size(); ++at) {
    if (!same_answer(limits, wire, {at}, whole)) return false;
  }
  for (int i = 0; i < random_cuts && wire.size() > 1; ++i) {
    std::vector<std::size_t> cuts;
    const int n = static_cast<int>(rng() % 4) + 1;
    for (int k = 0; k < n; ++k) cuts.push_back(1 + rng() % (wire.size() - 1));
    std::sort(cuts.begin(), cuts.end());
    if (!same_answer(limits, wire, cuts, whole)) return false;
  }
  return true;
}

TEST(Segmentation, EveryHostileCaseGetsOneAnswerWhateverTheCuts) {
  const server_limits limits = hostile_limits();
  hostile::generator gen(hostile::seed_or(20261206), templates());
  std::mt19937_64 rng(7);
  const std::uint64_t cases = hostile::cases_or(1500);
  std::uint64_t failed = 0;
  for (std::uint64_t i = 0; i < cases && failed < 5; ++i) {
    const hostile::case_input c = gen.next();
    if (!same_answer(limits, c.wire, {c.segment_ends.begin(), c.segment_ends.end() - 1},
                     feed_like_a_connection(limits, c.wire, {})) ||
        !one_answer_however_cut(limits, c.wire, rng, 8)) {
      ++failed;
    }
  }
}

// The two cases the corpus found first, at the default limits.
TEST(Segmentation, HeaderBlockAtTheLimitIsAcceptedHoweverCut) {
  const server_limits limits;  // 16 KiB header block
  std::string wire = "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: ";
  wire += std::string(limits.max_header_bytes - wire.size() - 4, 'f') + "\r\n\r\n";
  ASSERT_EQ(wire.size(), limits.max_header_bytes);
  const feed_result whole = feed_like_a_connection(limits, wire, {});
  ASSERT_EQ(whole.answers.size(), 1u);
  EXPECT_EQ(whole.answers[0].substr(0, 6), "GET / ");
  EXPECT_EQ(feed_like_a_connection(limits, wire, {wire.size() - 2}).answers, whole.answers);

  const std::string over = wire.substr(0, 30) + "f" + wire.substr(30);  // one byte more
  EXPECT_EQ(feed_like_a_connection(limits, over, {}).answers,
            std::vector<std::string>{"error 431"});
  EXPECT_EQ(feed_like_a_connection(limits, over, {over.size() - 2}).answers,
            std::vector<std::string>{"error 431"});
}

// Found by fuzz_request_parser: the "/" of an absolute-form target without a path is no
// view into the input, and must not be moved with the views when the request resumes.
TEST(Segmentation, AbsoluteFormWithoutAPathKeepsItsRootPathHoweverCut) {
  const server_limits limits;
  const std::string wire = "POST http://h:1?q HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok";
  const feed_result whole = feed_like_a_connection(limits, wire, {});
  ASSERT_EQ(whole.answers.size(), 1u);
  EXPECT_NE(whole.answers[0].find(" path=/ query=q "), std::string::npos) << whole.answers[0];
  for (std::size_t at = 1; at < wire.size(); ++at) {
    const feed_result split = feed_like_a_connection(limits, wire, {at});
    EXPECT_EQ(split.answers, whole.answers) << "cut at " << at;
    EXPECT_TRUE(split.violations.empty()) << "cut at " << at << ": " << split.violations[0];
  }
}

TEST(Segmentation, UnknownMethodIs501HoweverCut) {
  const server_limits limits;
  const std::string wire = "GETX / HTTP/1.1\r\nHost: h\r\n\r\n";
  for (std::size_t at = 0; at < wire.size(); ++at) {
    EXPECT_EQ(feed_like_a_connection(limits, wire, {at}).answers,
              std::vector<std::string>{"error 501"})
        << "cut at " << at;
  }
}

}  // namespace
}  // namespace coring::http::test
