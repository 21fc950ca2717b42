// Single-thread synchronisation: event, wait_group, channel.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/channel.hpp"
#include "core/event.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/wait_group.hpp"
#include "core/when_all.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

// --- event ---------------------------------------------------------------------------

task<void> wait_event(event* ev, int* woken) {
  co_await ev->wait();
  ++*woken;
}

task<void> set_after(event* ev, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  ev->set();
}

task<void> waiters_then_set(event* ev, int* woken) {
  runtime::current().spawn(set_after(ev, 10ms));
  co_await when_all(wait_event(ev, woken), wait_event(ev, woken), wait_event(ev, woken));
}

TEST(Event, SetWakesEveryWaiter) {
  runtime rt;
  event ev;
  int woken = 0;
  rt.block_on(waiters_then_set(&ev, &woken));
  EXPECT_EQ(woken, 3);
  EXPECT_TRUE(ev.is_set());
}

TEST(Event, WaitersBlockUntilSet) {
  runtime rt;
  event ev;
  int woken = 0;
  rt.spawn(wait_event(&ev, &woken));
  rt.spawn(wait_event(&ev, &woken));
  for (int i = 0; i < 5; ++i) rt.run_once(false);
  EXPECT_EQ(woken, 0);
  ev.set();
  EXPECT_EQ(woken, 0) << "set() must not resume waiters inline";
  rt.run_once(false);
  EXPECT_EQ(woken, 2);
}

TEST(Event, AlreadySetDoesNotSuspendAndResetRearms) {
  runtime rt;
  event ev;
  ev.set();
  int woken = 0;
  rt.block_on(wait_event(&ev, &woken));
  EXPECT_EQ(woken, 1);
  ev.reset();
  EXPECT_FALSE(ev.is_set());
  rt.spawn(wait_event(&ev, &woken));
  rt.run_once(false);
  EXPECT_EQ(woken, 1);
  ev.set();
  rt.run_once(false);
  EXPECT_EQ(woken, 2);
}

// --- wait_group ----------------------------------------------------------------------

task<void> work_then_done(std::chrono::milliseconds delay, wait_group* wg, int* finished) {
  co_await sleep_for(delay);
  ++*finished;
  wg->done();
}

task<int> wait_group_main(wait_group* wg, int* finished) {
  wg->add(3);
  for (int i = 1; i <= 3; ++i) runtime::current().spawn(work_then_done(i * 5ms, wg, finished));
  co_await wg->wait();
  co_return *finished;
}

TEST(WaitGroup, WaitReturnsWhenCountReachesZero) {
  runtime rt;
  wait_group wg;
  int finished = 0;
  EXPECT_EQ(rt.block_on(wait_group_main(&wg, &finished)), 3);
  EXPECT_EQ(wg.count(), 0u);
}

task<void> wait_on(wait_group* wg, bool* passed) {
  co_await wg->wait();
  *passed = true;
}

TEST(WaitGroup, ZeroCountDoesNotWait) {
  runtime rt;
  wait_group wg;
  bool passed = false;
  rt.block_on(wait_on(&wg, &passed));
  EXPECT_TRUE(passed);
}

TEST(WaitGroup, WaitBlocksWhileCountPositive) {
  runtime rt;
  wait_group wg;
  wg.add(2);
  bool passed = false;
  rt.spawn(wait_on(&wg, &passed));
  rt.run_once(false);
  wg.done();
  rt.run_once(false);
  EXPECT_FALSE(passed);
  wg.done();
  rt.run_once(false);
  EXPECT_TRUE(passed);
}

// --- channel -------------------------------------------------------------------------

task<void> produce(channel<int>* ch, int from, int count, int* sent_count) {
  for (int i = from; i < from + count; ++i) {
    bool ok = co_await ch->send(i);
    if (!ok) co_return;
    ++*sent_count;
  }
}

task<void> consume(channel<int>* ch, std::vector<int>* out) {
  for (;;) {
    std::optional<int> v = co_await ch->receive();
    if (!v) co_return;
    out->push_back(*v);
  }
}

task<void> produce_then_close(channel<int>* ch, int count, int* sent_count) {
  co_await produce(ch, 0, count, sent_count);
  ch->close();
}

task<void> pipeline(channel<int>* ch, int count, int* sent_count, std::vector<int>* out) {
  co_await when_all(produce_then_close(ch, count, sent_count), consume(ch, out));
}

TEST(Channel, DeliversInFifoOrderThenClosesAfterDrain) {
  runtime rt;
  channel<int> ch(4);
  int sent = 0;
  std::vector<int> got;
  rt.block_on(pipeline(&ch, 1000, &sent, &got));
  EXPECT_EQ(sent, 1000);
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(got[static_cast<std::size_t>(i)], i);
}

TEST(Channel, SenderWaitsWhileFull) {
  runtime rt;
  channel<int> ch(2);
  int sent = 0;
  rt.spawn(produce(&ch, 0, 5, &sent));
  for (int i = 0; i < 3; ++i) rt.run_once(false);
  EXPECT_EQ(sent, 2) << "sender ran past the channel's capacity";
  EXPECT_EQ(ch.size(), 2u);
  std::vector<int> got;
  ch.close();  // the blocked sender gets false; queued values still drain
  rt.block_on(consume(&ch, &got));
  rt.run_once(false);
  EXPECT_EQ(got, (std::vector<int>{0, 1}));
  EXPECT_EQ(sent, 2);
}

TEST(Channel, ReceiverWaitsWhileEmptyAndGetsValueHandedOver) {
  runtime rt;
  channel<int> ch(1);
  std::vector<int> got;
  rt.spawn(consume(&ch, &got));
  rt.spawn(consume(&ch, &got));
  rt.run_once(false);
  EXPECT_TRUE(got.empty());
  int sent = 0;
  rt.spawn(produce(&ch, 10, 2, &sent));
  rt.run_once(false);
  rt.run_once(false);
  EXPECT_EQ(sent, 2);
  EXPECT_EQ(got, (std::vector<int>{10, 11}));
  EXPECT_EQ(ch.size(), 0u) << "values went to waiting receivers, not the queue";
  ch.close();
  rt.run_once(false);
  EXPECT_EQ(rt.live_spawned(), 0u) << "close() did not release the waiting receivers";
}

task<bool> send_one(channel<std::string>* ch, std::string v) {
  co_return co_await ch->send(std::move(v));
}

TEST(Channel, SendAfterCloseFails) {
  runtime rt;
  channel<std::string> ch(4);
  ch.close();
  EXPECT_FALSE(rt.block_on(send_one(&ch, "late")));
  EXPECT_EQ(ch.size(), 0u);
}

task<void> close_when_sent(channel<int>* ch, int* sent, int total) {
  while (*sent < total) co_await sleep_for(1ms);
  ch->close();
}

task<void> many_to_many(channel<int>* ch, std::vector<int>* a, std::vector<int>* b, int* sent) {
  co_await when_all(produce(ch, 0, 500, sent), produce(ch, 500, 500, sent), consume(ch, a),
                    consume(ch, b), close_when_sent(ch, sent, 1000));
}

TEST(Channel, EveryValueReceivedExactlyOnce) {
  runtime rt;
  channel<int> ch(3);
  std::vector<int> a, b;
  int sent = 0;
  rt.block_on(many_to_many(&ch, &a, &b, &sent));
  std::vector<int> all = a;
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i)], i);
  EXPECT_FALSE(a.empty());
  EXPECT_FALSE(b.empty());
}

}  // namespace
}  // namespace coring
