// idle_batch: after a busy stretch the loop sleeps until a batch of completions is
// ready (or the delay passes with one); a loop that was not busy wakes at the first.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <system_error>
#include <thread>
#include <vector>

#include "core/io.hpp"
#include "core/runtime.hpp"
#include "core/wait_group.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

runtime::options batching(unsigned completions, std::chrono::microseconds max_delay) {
  runtime::options o;
  o.idle_batch.completions = completions;
  o.idle_batch.max_delay = max_delay;
  return o;
}

// Closing a descriptor that does not exist fails inside the submitting io_uring_enter:
// a completion that is ready at once, whatever the machine's timing.
constexpr int no_such_fd = 1 << 20;

task<void> close_missing(wait_group* wg) {
  co_await close(descriptor{no_such_fd});
  wg->done();
}

task<void> receive_one(int fd, wait_group* wg) {
  char byte = 0;
  co_await recv(descriptor{fd}, &byte, 1);
  wg->done();
}

task<void> wait_all(wait_group* wg) { co_await wg->wait(); }

// A busy stretch: `count` completions reaped without the loop sleeping.
void busy_stretch(runtime& rt, unsigned count) {
  wait_group wg;
  wg.add(count);
  for (unsigned i = 0; i < count; ++i) rt.spawn(close_missing(&wg));
  rt.block_on(wait_all(&wg));
}

// `count` sockets receive one byte each, 10 ms apart (from another thread), plus one
// completion ready at once, so that the submitting io_uring_enter returns and the loop
// then goes to sleep with nothing to submit. (Sockets, as in a server: the kernel wakes
// a batched sleep for them only when the batch is there. A timer expiry would end any
// wait at once.)
struct phase_result {
  std::uint64_t enters;
  std::uint64_t batched_sleeps;
  std::int64_t took_ms;
};

phase_result bytes_apart(runtime& rt, unsigned count) {
  std::vector<test::unique_fd> ours, theirs;
  for (unsigned i = 0; i < count; ++i) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
      throw std::system_error(errno, std::generic_category());
    ours.emplace_back(pair[0]);
    theirs.emplace_back(pair[1]);
  }
  const runtime_stats before = rt.stats();
  wait_group wg;
  wg.add(count + 1);
  for (auto& fd : ours) rt.spawn(receive_one(fd.get(), &wg));
  rt.spawn(close_missing(&wg));
  const auto start = test::clock::now();
  std::thread sender([&theirs] {
    for (auto& fd : theirs) {
      std::this_thread::sleep_for(10ms);
      EXPECT_EQ(::send(fd.get(), "x", 1, MSG_NOSIGNAL), 1);
    }
  });
  rt.block_on(wait_all(&wg));
  sender.join();
  const runtime_stats after = rt.stats();
  return {after.enter_calls - before.enter_calls,
          after.idle_batched_sleeps - before.idle_batched_sleeps, test::elapsed_ms(start).count()};
}

// A busy stretch of `stretch` completions, then `bytes` arrivals 10 ms apart.
phase_result after_stretch(runtime& rt, unsigned stretch, unsigned bytes) {
  busy_stretch(rt, stretch);
  return bytes_apart(rt, bytes);
}

TEST(IdleBatch, SleepAfterABusyStretchWaitsForTheWholeBatch) {
  runtime rt(batching(8, 2s));
  if (!rt.idle_batch_enabled()) GTEST_SKIP() << "kernel without min-wait (Linux 6.12+)";
  const phase_result r = after_stretch(rt, 64, 8);
  // One enter submits, one sleeps until all eight bytes are there (80 ms); unbatched
  // the loop would wake for each.
  EXPECT_EQ(r.batched_sleeps, 1u);
  EXPECT_LE(r.enters, 3u);
  EXPECT_GE(r.took_ms, 75);
}

TEST(IdleBatch, WithoutBatchingTheLoopWakesForEachCompletion) {
  runtime rt(batching(0, 2s));
  EXPECT_FALSE(rt.idle_batch_enabled());
  const phase_result r = after_stretch(rt, 64, 8);
  EXPECT_EQ(r.batched_sleeps, 0u);
  EXPECT_GE(r.enters, 8u);
}

TEST(IdleBatch, ABatchThatDoesNotFillUpEndsAfterTheDelay) {
  runtime rt(batching(64, 40ms));
  if (!rt.idle_batch_enabled()) GTEST_SKIP() << "kernel without min-wait (Linux 6.12+)";
  // One byte at 10 ms, then nothing: the sleep waits for more until 40 ms have passed
  // since it began, then returns with the one it has (never the hour-long overall
  // timeout).
  const phase_result r = after_stretch(rt, 128, 1);
  EXPECT_EQ(r.batched_sleeps, 1u);
  EXPECT_GE(r.took_ms, 35);
  EXPECT_LT(r.took_ms, 1000);
}

TEST(IdleBatch, ALoopThatWasNotBusyWakesAtTheFirstCompletion) {
  runtime rt(batching(64, 500ms));
  if (!rt.idle_batch_enabled()) GTEST_SKIP() << "kernel without min-wait (Linux 6.12+)";
  const phase_result r = after_stretch(rt, 4, 1);  // fewer completions than a batch
  EXPECT_EQ(r.batched_sleeps, 0u);
  EXPECT_LT(r.took_ms, 250);  // the byte comes at 10 ms; a batched sleep would take 500 ms
}

TEST(IdleBatch, DelaysAreCappedAtOneSecond) {
  runtime rt;
  const idle_batch capped(rt.ring(), {8, std::chrono::hours(1)});
  EXPECT_EQ(capped.options().max_delay, max_delay_limit);
  const idle_batch kept(rt.ring(), {8, 300us});
  EXPECT_EQ(kept.options().max_delay, 300us);
  EXPECT_FALSE(idle_batch(rt.ring(), {8, 0us}).enabled());
  EXPECT_FALSE(idle_batch(rt.ring(), {1, 300us}).enabled());
}

}  // namespace
}  // namespace coring
