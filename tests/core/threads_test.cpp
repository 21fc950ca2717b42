// run_threads: one runtime per thread, errors propagated, cross-thread shutdown.

#include "core/threads.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/event.hpp"
#include "core/message.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

thread_options two_threads() {
  return thread_options{
      .threads = 2, .ring = {.sq_entries = 64}, .pin = false, .handle_signals = false};
}

struct seen_threads {
  std::mutex mutex;
  std::set<std::thread::id> ids;
  std::set<runtime*> runtimes;
  std::atomic<int> count_ok{0};
};

task<void> record(unsigned index, seen_threads* seen) {
  {
    std::lock_guard lock(seen->mutex);
    seen->ids.insert(std::this_thread::get_id());
    seen->runtimes.insert(&runtime::current());
  }
  if (all_runtimes().size() == 2 && all_runtimes()[index] == &runtime::current()) ++seen->count_ok;
  co_await sleep_for(1ms);  // the loop works on every thread
}

TEST(Threads, EveryThreadRunsMainOnItsOwnRuntime) {
  test::watchdog dog(30s, "run_threads");
  seen_threads seen;
  run_threads(two_threads(), [&seen](unsigned index) { return record(index, &seen); });
  EXPECT_EQ(seen.ids.size(), 2u);
  EXPECT_TRUE(seen.ids.count(std::this_thread::get_id())) << "index 0 runs on the caller";
  EXPECT_EQ(seen.runtimes.size(), 2u);
  EXPECT_EQ(seen.count_ok.load(), 2);
}

task<void> fail_on_one(unsigned index) {
  co_await sleep_for(1ms);
  if (index == 1) throw std::runtime_error("thread 1 failed");
}

TEST(Threads, ExceptionFromAThreadIsRethrown) {
  test::watchdog dog(30s, "run_threads error");
  EXPECT_THROW(run_threads(two_threads(), [](unsigned index) { return fail_on_one(index); }),
               std::runtime_error);
}

// Thread 0 hops onto thread 1's runtime and releases it from there.
struct hop_state {
  std::atomic<event*> thread1_done{nullptr};
  std::thread::id main_id, there_id, back_id;
};

task<void> hop_main(unsigned index, hop_state* st) {
  if (index == 1) {
    event done;
    st->thread1_done = &done;
    co_await done.wait();
    co_return;
  }
  while (st->thread1_done.load() == nullptr) co_await sleep_for(1ms);
  runtime& home = runtime::current();
  st->main_id = std::this_thread::get_id();
  co_await switch_to(*all_runtimes()[1]);
  st->there_id = std::this_thread::get_id();
  st->thread1_done.load()->set();
  co_await switch_to(home);
  st->back_id = std::this_thread::get_id();
}

TEST(Threads, SwitchToMovesBetweenRunThreadsRuntimes) {
  test::watchdog dog(30s, "run_threads switch_to");
  hop_state st;
  run_threads(two_threads(), [&st](unsigned index) { return hop_main(index, &st); });
  EXPECT_NE(st.there_id, st.main_id);
  EXPECT_EQ(st.back_id, st.main_id);
}

// A shutdown notice posted to another thread stops work running under that runtime's
// shutdown_source, on its own thread.
task<int> long_sleep() { co_return (co_await sleep_for(30s)).value; }

task<void> shutdown_main(unsigned index, std::atomic<int>* result) {
  if (index == 1) {
    *result = co_await long_sleep().under(&runtime::current().shutdown_source());
    co_return;
  }
  co_await sleep_for(20ms);  // let thread 1 start sleeping
  post_message(*all_runtimes()[1], all_runtimes()[1]->shutdown_notice());
}

TEST(Threads, ShutdownNoticeStopsAnotherThreadsWork) {
  test::watchdog dog(30s, "run_threads shutdown");
  std::atomic<int> result{1};
  auto start = test::clock::now();
  run_threads(two_threads(), [&result](unsigned index) { return shutdown_main(index, &result); });
  EXPECT_EQ(result.load(), -ECANCELED);
  EXPECT_LT(test::elapsed_ms(start).count(), 5000);
}

TEST(Threads, AvailableCpusIsPositive) { EXPECT_GE(available_cpus(), 1u); }

}  // namespace
}  // namespace coring
