// runtime::more_work_this_turn(): the batching hint (coroutines still to resume or
// completions still to dispatch in this loop turn) and runtime::turn().

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <vector>

#include "core/io.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

task<void> note_hint(std::vector<bool>* seen) {
  seen->push_back(runtime::current().more_work_this_turn());
  co_return;
}

task<void> spawn_three_then_wait(std::vector<bool>* seen) {
  runtime& rt = runtime::current();
  for (int i = 0; i < 3; ++i) rt.spawn(note_hint(seen));
  (void)co_await sleep_for(std::chrono::milliseconds(20));
}

TEST(Turn, ResumedCoroutinesSeeTheOnesQueuedAfterThem) {
  runtime rt;
  std::vector<bool> seen;
  rt.block_on(spawn_three_then_wait(&seen));
  EXPECT_EQ(seen, (std::vector<bool>{true, true, false}));
  EXPECT_FALSE(rt.more_work_this_turn()) << "nothing runs between turns";
}

task<void> poll_then_note(int fd, std::vector<bool>* seen) {
  const io_result ready = co_await poll(descriptor{fd, false}, POLLIN);
  EXPECT_TRUE(ready.ok());
  seen->push_back(runtime::current().more_work_this_turn());
}

TEST(Turn, ACompletionSeesTheRestOfItsBatch) {
  runtime rt;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  test::unique_fd read_end(fds[0]), write_end(fds[1]);
  ASSERT_EQ(::write(write_end.get(), "x", 1), 1);  // readable: both polls complete at once
  std::vector<bool> seen;
  rt.block_on(
      when_all(poll_then_note(read_end.get(), &seen), poll_then_note(read_end.get(), &seen)));
  EXPECT_EQ(seen, (std::vector<bool>{true, false}));
}

task<void> two_turns(std::uint64_t* first, std::uint64_t* second) {
  *first = runtime::current().turn();
  (void)co_await sleep_for(std::chrono::milliseconds(1));
  *second = runtime::current().turn();
}

TEST(Turn, TurnAdvancesWhenTheLoopSubmits) {
  runtime rt;
  std::uint64_t first = 0, second = 0;
  rt.block_on(two_turns(&first, &second));
  EXPECT_GT(second, first);
}

}  // namespace
}  // namespace coring
