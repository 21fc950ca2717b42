// Cross-thread messages (IORING_OP_MSG_RING): post_message runs a completion on the
// target thread; switch_to moves the awaiting coroutine there and back.

#include "core/message.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "core/event.hpp"
#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

// A second thread with its own runtime, running until `finish` (an event owned by that
// thread) is set — by a coroutine that has moved onto it.
class other_thread {
 public:
  other_thread() {
    std::promise<void> ready;
    std::future<void> started = ready.get_future();
    thread_ = std::thread([this, &ready] {
      runtime rt;
      rt_ = &rt;
      id_ = std::this_thread::get_id();
      ready.set_value();
      rt.block_on(wait_for(&finish_));
      // One more turn so messages queued by the last coroutine here get submitted.
      rt.run_once(false);
      while (!release_.load()) std::this_thread::sleep_for(1ms);
    });
    started.wait();
  }
  ~other_thread() {
    release_ = true;
    thread_.join();
  }
  runtime& rt() { return *rt_; }
  event& finish() { return finish_; }
  std::thread::id id() const { return id_; }

 private:
  static task<void> wait_for(event* ev) { co_await ev->wait(); }
  std::thread thread_;
  runtime* rt_ = nullptr;
  event finish_;
  std::thread::id id_;
  std::atomic<bool> release_{false};
};

struct hops {
  std::thread::id before, there, back;
};

task<void> hop(runtime* home, other_thread* other, hops* seen) {
  seen->before = std::this_thread::get_id();
  co_await switch_to(other->rt());
  seen->there = std::this_thread::get_id();
  other->finish().set();  // safe: we are on the event's thread now
  co_await switch_to(*home);
  seen->back = std::this_thread::get_id();
}

TEST(Message, SwitchToResumesOnTheOtherThreadAndBack) {
  test::watchdog dog(30s, "switch_to");
  runtime rt;
  other_thread other;
  hops seen;
  rt.block_on(hop(&rt, &other, &seen));
  EXPECT_EQ(seen.before, std::this_thread::get_id());
  EXPECT_EQ(seen.there, other.id());
  EXPECT_NE(seen.there, seen.before);
  EXPECT_EQ(seen.back, std::this_thread::get_id());
  EXPECT_EQ(rt.failures_reported(), 0u);
}

task<void> no_hop(runtime* home, bool* ran) {
  co_await switch_to(*home);  // already here: does not suspend
  *ran = true;
}

TEST(Message, SwitchToCurrentRuntimeIsANoOp) {
  runtime rt;
  bool ran = false;
  const auto submitted = rt.stats().sqes_submitted;
  rt.block_on(no_hop(&rt, &ran));
  EXPECT_TRUE(ran);
  EXPECT_EQ(rt.stats().sqes_submitted, submitted);
}

// A completion that records where and with what it ran, then ends the other loop.
struct recorder : completion {
  std::atomic<int> value{-1};
  std::atomic<std::thread::id> ran_on{};
  event* finish = nullptr;
  static void on_message(completion* self, int res, std::uint32_t) noexcept {
    auto* me = static_cast<recorder*>(self);
    me->value = res;
    me->ran_on = std::this_thread::get_id();
    me->finish->set();
  }
};

task<void> post_and_return(runtime* target, recorder* message) {
  post_message(*target, message, 42);
  co_return;
}

TEST(Message, PostMessageRunsCompletionOnTargetThread) {
  test::watchdog dog(30s, "post_message");
  runtime rt;
  other_thread other;
  recorder message;
  message.on_cqe = &recorder::on_message;
  message.finish = &other.finish();
  rt.block_on(post_and_return(&other.rt(), &message));
  rt.run_once(false);  // submit the MSG_RING SQE
  for (int i = 0; i < 2000 && message.value.load() < 0; ++i) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(message.value.load(), 42);
  EXPECT_EQ(message.ran_on.load(), other.id());
  EXPECT_EQ(rt.failures_reported(), 0u);
}

}  // namespace
}  // namespace coring
