// Per-operation deadlines (IORING_OP_LINK_TIMEOUT): expiry → -ETIMEDOUT.

#include <gtest/gtest.h>

#include <chrono>

#include "core/io.hpp"
#include "core/recv_multishot.hpp"
#include "core/runtime.hpp"
#include "core/stop.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

descriptor plain(const test::unique_fd& fd) { return descriptor{fd.get(), false}; }

task<int> recv_with_deadline(descriptor d, std::chrono::milliseconds limit, char* byte) {
  char buf[64];
  io_result r = co_await recv(d, buf, sizeof buf).deadline(limit);
  if (r.value > 0) *byte = buf[0];
  co_return r.value;
}

TEST(Deadline, ExpiryYieldsEtimedout) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  char byte = 0;
  auto start = test::clock::now();
  EXPECT_EQ(rt.block_on(recv_with_deadline(plain(pair.server), 30ms, &byte)), -ETIMEDOUT);
  const auto took = test::elapsed_ms(start).count();
  EXPECT_GE(took, 29);
  EXPECT_LT(took, 500);
}

task<int> recv_then_sleep(descriptor d, std::chrono::milliseconds limit, char* byte) {
  int r = co_await recv_with_deadline(d, limit, byte);
  co_await sleep_for(limit + 20ms);  // let the disarmed linked timeout's CQE pass
  co_return r;
}

TEST(Deadline, OperationFinishingFirstKeepsItsResult) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  test::write_all(pair.client.get(), "x", 1);
  char byte = 0;
  EXPECT_EQ(rt.block_on(recv_then_sleep(plain(pair.server), 30ms, &byte)), 1);
  EXPECT_EQ(byte, 'x');
  EXPECT_EQ(rt.failures_reported(), 0u);
}

task<void> send_after(int fd, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  test::write_all(fd, "y", 1);
}

task<int> data_before_deadline(descriptor d, int client_fd, char* byte) {
  runtime::current().spawn(send_after(client_fd, 10ms));
  co_return co_await recv_with_deadline(d, 2s, byte);
}

TEST(Deadline, DataArrivingBeforeDeadlineWins) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  char byte = 0;
  auto start = test::clock::now();
  EXPECT_EQ(rt.block_on(data_before_deadline(plain(pair.server), pair.client.get(), &byte)), 1);
  EXPECT_EQ(byte, 'y');
  EXPECT_LT(test::elapsed_ms(start).count(), 1000);
}

task<void> stop_after(stop_source* source, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  source->request_stop();
}

task<int> stopped_before_deadline(descriptor d, stop_source* source, char* byte) {
  runtime::current().spawn(stop_after(source, 10ms));
  co_return co_await recv_with_deadline(d, 10s, byte).under(source);
}

TEST(Deadline, StopBeforeDeadlineIsCancelNotTimeout) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  stop_source source;
  char byte = 0;
  EXPECT_EQ(rt.block_on(stopped_before_deadline(plain(pair.server), &source, &byte)), -ECANCELED);
}

task<int> many_deadlines(descriptor d, int count) {
  int timed_out = 0;
  for (int i = 0; i < count; ++i) {
    char buf[8];
    io_result r = co_await recv(d, buf, sizeof buf).deadline(1ms);
    if (r.value == -ETIMEDOUT) ++timed_out;
  }
  co_return timed_out;
}

TEST(Deadline, RepeatedDeadlinesEachExpire) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  EXPECT_EQ(rt.block_on(many_deadlines(plain(pair.server), 50)), 50);
}

task<void> time_out_after(multishot_recv* rx, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  rx->cancel(/*timed_out=*/true);
}

task<int> multishot_timeout(descriptor d, buffer_ring* ring) {
  multishot_recv rx(d, *ring);
  runtime::current().spawn(time_out_after(&rx, 10ms));
  recv_result r = co_await rx.next();
  co_await rx.stop();
  co_return r.value;
}

TEST(Deadline, MultishotRecvTimeoutYieldsEtimedout) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  EXPECT_EQ(rt.block_on(multishot_timeout(plain(pair.server), &rt.buffers())), -ETIMEDOUT);
}

}  // namespace
}  // namespace coring
