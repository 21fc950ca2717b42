// when_any: the first child to finish wins; the others are stopped (their I/O
// cancelled) and awaited before when_any returns.

#include "core/when_any.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "core/frame_pool.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

// Sleeps, records what the sleep completed with, and returns `value`.
task<int> sleep_then(std::chrono::milliseconds delay, int value, int* sleep_result) {
  io_result r = co_await sleep_for(delay);
  *sleep_result = r.value;
  co_return value;
}

task<int> immediately(int value) { co_return value; }

task<int> throw_after(std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  throw std::runtime_error("winner failed");
}

task<any_result<int>> race(std::chrono::milliseconds a, std::chrono::milliseconds b, int* ra,
                           int* rb) {
  co_return co_await when_any(sleep_then(a, 1, ra), sleep_then(b, 2, rb));
}

TEST(WhenAny, ReturnsWinnersIndexAndValue) {
  runtime rt;
  int ra = 1, rb = 1;
  any_result<int> r = rt.block_on(race(10s, 10ms, &ra, &rb));
  EXPECT_EQ(r.index, 1u);
  EXPECT_EQ(r.value, 2);
  EXPECT_EQ(rb, 0) << "the winner's sleep expired normally";
}

TEST(WhenAny, LosersSleepIsCancelledPromptly) {
  runtime rt;
  int ra = 1, rb = 1;
  auto start = test::clock::now();
  any_result<int> r = rt.block_on(race(10s, 10ms, &ra, &rb));
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(r.index, 1u);
  // The loser ran to completion (structured) and saw its sleep cancelled.
  EXPECT_EQ(ra, -ECANCELED);
}

TEST(WhenAny, FirstArgumentCanWin) {
  runtime rt;
  int ra = 1, rb = 1;
  any_result<int> r = rt.block_on(race(5ms, 10s, &ra, &rb));
  EXPECT_EQ(r.index, 0u);
  EXPECT_EQ(r.value, 1);
  EXPECT_EQ(rb, -ECANCELED);
}

task<any_result<int>> sync_winner(int* loser_result) {
  co_return co_await when_any(immediately(7), sleep_then(10s, 8, loser_result));
}

TEST(WhenAny, SynchronousWinnerStopsOthersBeforeTheyWait) {
  runtime rt;
  int loser = 1;
  auto start = test::clock::now();
  any_result<int> r = rt.block_on(sync_winner(&loser));
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(r.index, 0u);
  EXPECT_EQ(r.value, 7);
  EXPECT_EQ(loser, -ECANCELED);
}

task<any_result<int>> failing_winner(int* loser_result) {
  co_return co_await when_any(throw_after(5ms), sleep_then(10s, 8, loser_result));
}

TEST(WhenAny, WinnersExceptionIsRethrownAfterLosersStop) {
  runtime rt;
  int loser = 1;
  auto start = test::clock::now();
  EXPECT_THROW(rt.block_on(failing_winner(&loser)), std::runtime_error);
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(loser, -ECANCELED);
}

// An outer stop reaches children of when_any through its group stop_source.
task<void> stop_later(stop_source* source, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  source->request_stop();
}

task<any_result<int>> outer_stopped(stop_source* source, int* ra, int* rb) {
  runtime::current().spawn(stop_later(source, 10ms));
  co_return co_await race(10s, 20s, ra, rb).under(source);
}

TEST(WhenAny, OuterStopCancelsAllChildren) {
  runtime rt;
  stop_source source;
  int ra = 1, rb = 1;
  auto start = test::clock::now();
  any_result<int> r = rt.block_on(outer_stopped(&source, &ra, &rb));
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(ra, -ECANCELED);
  EXPECT_EQ(rb, -ECANCELED);
  EXPECT_LT(r.index, 2u);
}

TEST(WhenAny, FreesEveryChildFrame) {
  const std::size_t baseline = frame_pool::live_frames();
  {
    runtime rt;
    int ra = 1, rb = 1;
    rt.block_on(race(10s, 1ms, &ra, &rb));
  }
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

}  // namespace
}  // namespace coring
