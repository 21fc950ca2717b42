// Cancellation through stop_source: an in-flight operation gets IORING_OP_ASYNC_CANCEL
// and its waiter resumes only with the operation's own CQE.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

#include "core/io.hpp"
#include "core/recv_multishot.hpp"
#include "core/runtime.hpp"
#include "core/stop.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

descriptor plain(const test::unique_fd& fd) { return descriptor{fd.get(), false}; }

task<void> stop_after(stop_source* source, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  source->request_stop();
}

// One recv into this frame; *out gets the result and *byte the first byte, if any.
task<int> recv_once(descriptor d, char* byte = nullptr) {
  char buf[64];
  io_result r = co_await recv(d, buf, sizeof buf);
  if (r.value > 0 && byte != nullptr) *byte = buf[0];
  co_return r.value;
}

task<int> recv_stopped_later(descriptor d, stop_source* source) {
  runtime::current().spawn(stop_after(source, 10ms));
  co_return co_await recv_once(d).under(source);
}

TEST(Cancel, StoppingRecvInFlightResumesItWithEcanceled) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source source;
  auto start = test::clock::now();
  EXPECT_EQ(rt.block_on(recv_stopped_later(plain(pair.server), &source)), -ECANCELED);
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(rt.failures_reported(), 0u);
}

TEST(Cancel, StoppedBeforeStartIsNeverSubmitted) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source source;
  source.request_stop();
  const auto submitted = rt.stats().sqes_submitted;
  EXPECT_EQ(rt.block_on(recv_once(plain(pair.server)).under(&source)), -ECANCELED);
  EXPECT_EQ(rt.stats().sqes_submitted, submitted);
}

task<void> recv_and_record(descriptor d, int* result, char* byte, bool* resumed) {
  *result = co_await recv_once(d, byte);
  *resumed = true;
}

TEST(Cancel, WaiterIsNotResumedByRequestStopItself) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source source;
  int result = 1;
  char byte = 0;
  bool resumed = false;
  rt.spawn(recv_and_record(plain(pair.server), &result, &byte, &resumed).under(&source));
  for (int i = 0; i < 3; ++i) rt.run_once(false);  // submitted and waiting in the kernel
  ASSERT_FALSE(resumed);
  source.request_stop();
  EXPECT_FALSE(resumed) << "resumed before the operation's CQE arrived";
  while (!resumed) rt.run_once(true);
  EXPECT_EQ(result, -ECANCELED);
  EXPECT_EQ(rt.failures_reported(), 0u);
}

// Data arriving in the same loop turn as the stop request races the cancel. Whichever
// wins, the waiter sees its own CQE: either the byte, or -ECANCELED with the byte still
// in the socket. A waiter resumed by the cancel's CQE would lose bytes here.
TEST(Cancel, CancelRacingDataLosesNoBytes) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  int got_data = 0;
  int got_cancel = 0;
  for (int i = 0; i < 200; ++i) {
    const char expected = static_cast<char>('a' + i % 26);
    stop_source source;
    int result = 1;
    char byte = 0;
    bool resumed = false;
    rt.spawn(recv_and_record(plain(pair.server), &result, &byte, &resumed).under(&source));
    rt.run_once(false);
    rt.run_once(false);
    test::write_all(pair.client.get(), &expected, 1);
    source.request_stop();
    while (!resumed) rt.run_once(true);
    if (result == 1) {
      ++got_data;
      ASSERT_EQ(byte, expected) << "iteration " << i;
    } else {
      ASSERT_EQ(result, -ECANCELED) << "iteration " << i;
      ++got_cancel;
      // The byte must still be there for the next reader.
      byte = 0;
      ASSERT_EQ(rt.block_on(recv_once(plain(pair.server), &byte)), 1);
      ASSERT_EQ(byte, expected) << "iteration " << i;
    }
  }
  EXPECT_EQ(got_data + got_cancel, 200);
  EXPECT_EQ(rt.failures_reported(), 0u);
  std::printf("cancel race: %d completed with data, %d cancelled\n", got_data, got_cancel);
}

task<std::tuple<int, int>> two_recvs(descriptor a, descriptor b) {
  co_return co_await when_all(recv_once(a), recv_once(b));
}

task<std::tuple<int, int>> nested_tree(descriptor a, descriptor b, stop_source* source) {
  runtime::current().spawn(stop_after(source, 10ms));
  co_return co_await two_recvs(a, b).under(source);
}

TEST(Cancel, StopReachesEveryOperationInTheTaskTree) {
  runtime rt;
  test::tcp_pair p1 = test::make_tcp_pair();
  test::tcp_pair p2 = test::make_tcp_pair();
  stop_source source;
  auto [a, b] = rt.block_on(nested_tree(plain(p1.server), plain(p2.server), &source));
  EXPECT_EQ(a, -ECANCELED);
  EXPECT_EQ(b, -ECANCELED);
}

task<void> sleep_and_record(std::chrono::milliseconds d, int* result, bool* resumed) {
  *result = (co_await sleep_for(d)).value;
  *resumed = true;
}

TEST(Cancel, StopLeavesOtherTreesAlone) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source stopped;
  stop_source untouched;
  int sleep_result = 1, recv_result = 1;
  char byte = 0;
  bool sleep_resumed = false, recv_resumed = false;
  rt.spawn(sleep_and_record(10s, &sleep_result, &sleep_resumed).under(&stopped));
  rt.spawn(
      recv_and_record(plain(pair.server), &recv_result, &byte, &recv_resumed).under(&untouched));
  rt.run_once(false);
  stopped.request_stop();
  while (!sleep_resumed) rt.run_once(true);
  EXPECT_EQ(sleep_result, -ECANCELED);
  for (int i = 0; i < 5; ++i) rt.run_once(false);
  EXPECT_FALSE(recv_resumed);
  test::write_all(pair.client.get(), "z", 1);
  while (!recv_resumed) rt.run_once(true);
  EXPECT_EQ(recv_result, 1);
  EXPECT_EQ(byte, 'z');
}

TEST(Cancel, ChildStopSourceFollowsItsParent) {
  runtime rt;
  stop_source parent;
  stop_source child(&parent);
  int result = 1;
  bool resumed = false;
  rt.spawn(sleep_and_record(10s, &result, &resumed).under(&child));
  rt.run_once(false);
  parent.request_stop();
  EXPECT_TRUE(child.stop_requested());
  while (!resumed) rt.run_once(true);
  EXPECT_EQ(result, -ECANCELED);
}

task<recv_result> next_of(multishot_recv* rx) { co_return co_await rx->next(); }

task<int> multishot_until_stopped(descriptor d, buffer_ring* ring, stop_source* source) {
  multishot_recv rx(d, *ring);
  runtime::current().spawn(stop_after(source, 10ms));
  recv_result r = co_await next_of(&rx).under(source);
  co_await rx.stop();
  co_return r.value;
}

TEST(Cancel, StoppingMultishotRecvYieldsEcanceled) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source source;
  EXPECT_EQ(rt.block_on(multishot_until_stopped(plain(pair.server), &rt.buffers(), &source)),
            -ECANCELED);
  EXPECT_EQ(rt.buffers().available(), rt.buffers().count());
}

}  // namespace
}  // namespace coring
