// runtime::spawn: detached tasks start on the next loop iteration, free their frame
// when they end, and report (never drop) an escaping exception.

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "core/event.hpp"
#include "core/frame_pool.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/wait_group.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

task<void> sleep_and_mark(std::chrono::milliseconds delay, int* counter, wait_group* wg) {
  co_await sleep_for(delay);
  ++*counter;
  wg->done();
}

task<void> fail_after(std::chrono::milliseconds delay, event* reached) {
  co_await sleep_for(delay);
  reached->set();
  throw std::runtime_error("spawned boom");
}

task<void> wait_for(wait_group* wg) { co_await wg->wait(); }

task<void> wait_event_then_tick(event* ev) {
  co_await ev->wait();
  co_await sleep_for(1ms);  // one more loop turn: the failing task has ended by now
}

task<void> set_flag(bool* flag) {
  *flag = true;
  co_return;
}

TEST(Spawn, StartsOnlyWhenTheLoopRuns) {
  runtime rt;
  bool ran = false;
  rt.spawn(set_flag(&ran));
  EXPECT_FALSE(ran);
  EXPECT_EQ(rt.live_spawned(), 1u);
  rt.run_once(false);
  EXPECT_TRUE(ran);
  EXPECT_EQ(rt.live_spawned(), 0u);
}

TEST(Spawn, FrameFreedAfterCompletion) {
  const std::size_t baseline = frame_pool::live_frames();
  {
    runtime rt;
    int counter = 0;
    wait_group wg;
    wg.add(3);
    for (int i = 0; i < 3; ++i)
      rt.spawn(sleep_and_mark(std::chrono::milliseconds(i * 5), &counter, &wg));
    // Each spawn holds two frames (the wrapper and the task) while it runs.
    EXPECT_EQ(frame_pool::live_frames(), baseline + 6);
    rt.block_on(wait_for(&wg));
    EXPECT_EQ(counter, 3);
    EXPECT_EQ(rt.live_spawned(), 0u);
    EXPECT_EQ(frame_pool::live_frames(), baseline) << "a finished spawned task kept its frame";
    EXPECT_EQ(rt.stats().tasks_spawned, 3u);
  }
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

TEST(Spawn, ManyShortTasksAllFinish) {
  const std::size_t baseline = frame_pool::live_frames();
  runtime rt;
  int counter = 0;
  wait_group wg;
  wg.add(10'000);
  for (int i = 0; i < 10'000; ++i) rt.spawn(sleep_and_mark(0ms, &counter, &wg));
  rt.block_on(wait_for(&wg));
  EXPECT_EQ(counter, 10'000);
  EXPECT_EQ(rt.live_spawned(), 0u);
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

TEST(Spawn, ExceptionIsCountedAndReported) {
  const std::size_t baseline = frame_pool::live_frames();
  runtime rt;
  event reached;
  testing::internal::CaptureStderr();
  rt.spawn(fail_after(2ms, &reached));
  rt.block_on(wait_event_then_tick(&reached));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(rt.stats().task_errors, 1u);
  EXPECT_NE(err.find("spawned boom"), std::string::npos) << "stderr was: " << err;
  EXPECT_EQ(rt.live_spawned(), 0u);
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

TEST(Spawn, FailureDoesNotDisturbOtherTasks) {
  runtime rt;
  event reached;
  int counter = 0;
  wait_group wg;
  wg.add(1);
  testing::internal::CaptureStderr();
  rt.spawn(fail_after(1ms, &reached));
  rt.spawn(sleep_and_mark(20ms, &counter, &wg));
  rt.block_on(wait_for(&wg));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(counter, 1);
  EXPECT_EQ(rt.stats().task_errors, 1u);
}

}  // namespace
}  // namespace coring
