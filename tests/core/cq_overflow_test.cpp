// The CQ never overflows silently: with a CQ ring far smaller than the number of
// completions in flight, the kernel holds the surplus back (IORING_FEAT_NODROP) and
// the loop must (a) still deliver every completion exactly once and (b) count the
// overflow in runtime_stats::cq_overflows, so an operator can see the ring is too small.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <vector>

#include "core/op.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t op_count = 200;

// Where each operation reports: completions[i] counts how often op i finished, so a
// lost CQE shows as a 0 and a duplicate (or misrouted) one as a 2.
struct tally {
  std::vector<int> completions = std::vector<int>(op_count, 0);
  std::vector<int> results = std::vector<int>(op_count, 1);
  std::size_t finished = 0;
};

task<void> one_nop(tally* t, std::size_t i) {
  io_result r = co_await make_op([](io_uring_sqe* s) { io_uring_prep_nop(s); });
  t->results[i] = r.value;
  ++t->completions[i];
  ++t->finished;
}

// All timers share one absolute CLOCK_MONOTONIC deadline, so they expire in the same
// timer interrupt and their CQEs are all posted in one go when the loop next enters.
task<void> one_timer(tally* t, std::size_t i, __kernel_timespec deadline) {
  io_result r = co_await make_op([deadline](io_uring_sqe* s) mutable {
    // LIFETIME: the lambda's copy of deadline lives in this op (in this frame) until the CQE.
    io_uring_prep_timeout(s, &deadline, 0, IORING_TIMEOUT_ABS);
  });
  t->results[i] = r.value;
  ++t->completions[i];
  ++t->finished;
}

// Waits (polling, so a lost completion fails the test instead of hanging it) until
// every operation has finished or `limit` has passed.
task<void> wait_for_all(const tally* t, std::chrono::milliseconds limit) {
  const auto start = test::clock::now();
  while (t->finished < op_count && test::elapsed_ms(start) < limit) co_await sleep_for(2ms);
}

task<void> run_nops(tally* t) {
  // Spawned tasks all start in the same loop turn: 200 SQEs go in through an 8-entry
  // SQ (sqe() submits every 8) with no reaping in between, and nops complete inline.
  for (std::size_t i = 0; i < op_count; ++i) runtime::current().spawn(one_nop(t, i));
  co_await wait_for_all(t, 3000ms);
}

task<void> run_timers(tally* t) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  __kernel_timespec deadline{};
  deadline.tv_sec = now.tv_sec;
  deadline.tv_nsec = now.tv_nsec + 5'000'000;  // 5 ms from now
  if (deadline.tv_nsec >= 1'000'000'000) {
    deadline.tv_sec += 1;
    deadline.tv_nsec -= 1'000'000'000;
  }
  for (std::size_t i = 0; i < op_count; ++i) runtime::current().spawn(one_timer(t, i, deadline));
  co_await wait_for_all(t, 3000ms);
}

runtime::options tiny_rings() {
  return runtime::options{.sq_entries = 8, .cq_entries = 16, .buffer_count = 16, .buffer_size = 64};
}

void expect_each_completed_once(const tally& t, int expected_result) {
  EXPECT_EQ(t.finished, op_count);
  for (std::size_t i = 0; i < op_count; ++i) {
    EXPECT_EQ(t.completions[i], 1) << "operation " << i;
    EXPECT_EQ(t.results[i], expected_result) << "operation " << i;
  }
}

TEST(CqOverflow, BurstOfInlineCompletionsIsDeliveredAndCounted) {
  test::watchdog dog(20s, "cq overflow (nops)");
  tally t;
  runtime rt(tiny_rings());
  ASSERT_EQ(*rt.ring().cq.kring_entries, 16u) << "the kernel did not honour cq_entries";
  ASSERT_TRUE(rt.ring().features & IORING_FEAT_NODROP) << "kernel may drop CQEs on overflow";
  rt.block_on(run_nops(&t));
  expect_each_completed_once(t, 0);
  EXPECT_GT(rt.stats().cq_overflows, 0u) << "200 CQEs through a 16-entry CQ, none counted";
  EXPECT_EQ(rt.live_spawned(), 0u);
  EXPECT_EQ(rt.stats().task_errors, 0u);
}

TEST(CqOverflow, TimersExpiringTogetherAreDeliveredAndCounted) {
  test::watchdog dog(20s, "cq overflow (timers)");
  tally t;
  runtime rt(tiny_rings());
  rt.block_on(run_timers(&t));
  expect_each_completed_once(t, -ETIME);
  EXPECT_GT(rt.stats().cq_overflows, 0u) << "200 timer CQEs through a 16-entry CQ, none counted";
  EXPECT_EQ(rt.live_spawned(), 0u);
}

}  // namespace
}  // namespace coring
