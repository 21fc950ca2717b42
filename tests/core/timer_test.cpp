// sleep_for: an IORING_OP_TIMEOUT; expiries come back in deadline order.

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/wait_group.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

task<int> sleep_once(std::chrono::milliseconds d) { co_return (co_await sleep_for(d)).value; }

TEST(Timer, SleepWaitsAtLeastItsDuration) {
  runtime rt;
  auto start = test::clock::now();
  EXPECT_EQ(rt.block_on(sleep_once(30ms)), 0);
  auto took = test::elapsed_ms(start).count();
  EXPECT_GE(took, 29);
  EXPECT_LT(took, 500);
}

TEST(Timer, ZeroSleepCompletes) {
  runtime rt;
  EXPECT_EQ(rt.block_on(sleep_once(0ms)), 0);
}

task<void> sleep_and_record(std::chrono::milliseconds d, int id, std::vector<int>* order,
                            wait_group* wg) {
  co_await sleep_for(d);
  order->push_back(id);
  wg->done();
}

task<void> wait_all(wait_group* wg) { co_await wg->wait(); }

TEST(Timer, FireInDeadlineOrder) {
  runtime rt;
  // Spawned out of order; ids equal their delay in units of 15 ms.
  const int ids[] = {5, 1, 4, 2, 3, 0};
  std::vector<int> order;
  wait_group wg;
  wg.add(std::size(ids));
  for (int id : ids) rt.spawn(sleep_and_record(id * 15ms, id, &order, &wg));
  rt.block_on(wait_all(&wg));
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST(Timer, ManyConcurrentTimersOverlap) {
  runtime rt;
  std::vector<int> order;
  wait_group wg;
  wg.add(2000);
  auto start = test::clock::now();
  for (int i = 0; i < 2000; ++i) rt.spawn(sleep_and_record(50ms, i, &order, &wg));
  rt.block_on(wait_all(&wg));
  EXPECT_EQ(order.size(), 2000u);
  EXPECT_LT(test::elapsed_ms(start).count(), 1000) << "timers did not run concurrently";
}

}  // namespace
}  // namespace coring
