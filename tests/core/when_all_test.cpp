// when_all: concurrent children, every result returned, errors rethrown only after
// every child has finished.

#include "core/when_all.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "core/frame_pool.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

task<int> value_after(std::chrono::milliseconds delay, int value) {
  co_await sleep_for(delay);
  co_return value;
}

task<std::string> text_after(std::chrono::milliseconds delay, std::string text) {
  co_await sleep_for(delay);
  co_return text;
}

task<void> mark_after(std::chrono::milliseconds delay, bool* finished) {
  co_await sleep_for(delay);
  *finished = true;
}

task<int> throw_after(std::chrono::milliseconds delay, std::string what) {
  co_await sleep_for(delay);
  throw std::runtime_error(what);
}

task<int> throw_now() {
  throw std::runtime_error("now");
  co_return 0;
}

task<std::tuple<int, std::string, int>> mixed() {
  co_return co_await when_all(value_after(30ms, 1), text_after(10ms, "two"), value_after(0ms, 3));
}

TEST(WhenAll, ReturnsEveryValueInArgumentOrder) {
  runtime rt;
  auto [a, b, c] = rt.block_on(mixed());
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, "two");
  EXPECT_EQ(c, 3);
}

// A child that records when it started and when its sleep ended.
struct span {
  test::clock::time_point started;
  test::clock::time_point ended;
};
task<int> timed_sleep(std::chrono::milliseconds delay, int value, span* s) {
  s->started = test::clock::now();
  co_await sleep_for(delay);
  s->ended = test::clock::now();
  co_return value;
}

task<std::tuple<int, int, int>> three_sleeps(span* spans) {
  co_return co_await when_all(timed_sleep(100ms, 1, &spans[0]), timed_sleep(100ms, 2, &spans[1]),
                              timed_sleep(100ms, 3, &spans[2]));
}

// Concurrent means every child started before any finished: an ordering, not a wall-clock
// bound, so a loaded machine that delays the loop cannot make it fail.
TEST(WhenAll, ChildrenRunConcurrently) {
  runtime rt;
  span spans[3];
  auto start = test::clock::now();
  auto [a, b, c] = rt.block_on(three_sleeps(spans));
  auto took = test::elapsed_ms(start);
  EXPECT_EQ(a + b + c, 6);
  EXPECT_GE(took.count(), 95);
  const auto last_start = std::max({spans[0].started, spans[1].started, spans[2].started});
  const auto first_end = std::min({spans[0].ended, spans[1].ended, spans[2].ended});
  EXPECT_LT(last_start, first_end) << "the sleeps ran one after another";
}

task<void> two_voids(bool* first, bool* second) {
  auto [x, y] = co_await when_all(mark_after(10ms, first), mark_after(1ms, second));
  static_assert(std::is_same_v<decltype(x), std::monostate>);
  (void)x;
  (void)y;
}

TEST(WhenAll, VoidTasksBecomeMonostate) {
  runtime rt;
  bool first = false;
  bool second = false;
  rt.block_on(two_voids(&first, &second));
  EXPECT_TRUE(first);
  EXPECT_TRUE(second);
}

task<std::vector<int>> many(int count) {
  std::vector<task<int>> tasks;
  for (int i = 0; i < count; ++i) {
    tasks.push_back(value_after(std::chrono::milliseconds((count - i) % 7), i * i));
  }
  co_return co_await when_all(std::move(tasks));
}

TEST(WhenAll, VectorOfTasksKeepsPositions) {
  runtime rt;
  std::vector<int> results = rt.block_on(many(200));
  ASSERT_EQ(results.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)], i * i);
}

TEST(WhenAll, EmptyVectorCompletesAtOnce) {
  runtime rt;
  EXPECT_TRUE(rt.block_on(many(0)).empty());
}

task<void> fail_early_one_slow(bool* slow_finished) {
  co_await when_all(throw_after(1ms, "early"), mark_after(100ms, slow_finished));
}

TEST(WhenAll, ExceptionRethrownOnlyAfterAllFinish) {
  runtime rt;
  bool slow_finished = false;
  auto start = test::clock::now();
  try {
    rt.block_on(fail_early_one_slow(&slow_finished));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "early");
  }
  EXPECT_TRUE(slow_finished) << "when_all returned while a child was still running";
  EXPECT_GE(test::elapsed_ms(start).count(), 95);
}

task<void> two_failures() {
  // The second throws first in time, but the first by position wins.
  co_await when_all(throw_after(30ms, "by position"), throw_after(1ms, "by time"));
}

TEST(WhenAll, FirstExceptionByPositionWins) {
  runtime rt;
  try {
    rt.block_on(two_failures());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "by position");
  }
}

task<int> mark_then_value(bool* finished) {
  co_await sleep_for(5ms);
  *finished = true;
  co_return 2;
}

task<void> synchronous_failure(bool* finished) {
  co_await when_all(throw_now(), value_after(20ms, 1), mark_then_value(finished));
}

TEST(WhenAll, SynchronousThrowStillWaitsForSiblings) {
  runtime rt;
  bool finished = false;
  EXPECT_THROW(rt.block_on(synchronous_failure(&finished)), std::runtime_error);
  EXPECT_TRUE(finished);
}

TEST(WhenAll, FreesEveryChildFrame) {
  const std::size_t baseline = frame_pool::live_frames();
  {
    runtime rt;
    rt.block_on(many(50));
    bool slow = false;
    EXPECT_THROW(rt.block_on(fail_early_one_slow(&slow)), std::runtime_error);
  }
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

}  // namespace
}  // namespace coring
