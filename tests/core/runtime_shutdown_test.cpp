// Destroying a runtime with operations in flight: no hang, every suspended spawned
// frame freed, and nothing the kernel writes lands in freed memory (run under ASan).

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "core/frame_pool.hpp"
#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/recv_multishot.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

task<void> recv_forever(descriptor d, bool* finished) {
  char buf[4096];  // LIFETIME: in this frame; the kernel must be done with it before it is freed
  co_await recv(d, buf, sizeof buf);
  *finished = true;
}

task<void> sleep_forever(bool* finished) {
  co_await sleep_for(1h);
  *finished = true;
}

task<void> multishot_forever(descriptor d, buffer_ring* ring, bool* finished) {
  multishot_recv rx(d, *ring);
  co_await rx.next();
  *finished = true;
}

task<void> accept_forever(listener* l, bool* finished) {
  co_await l->accept();
  *finished = true;
}

TEST(RuntimeShutdown, DestroyingWithOperationsInFlightNeitherHangsNorLeaks) {
  test::watchdog dog(30s, "runtime teardown");
  const std::size_t baseline = frame_pool::live_frames();
  std::vector<test::tcp_pair> pairs;
  for (int i = 0; i < 8; ++i) pairs.push_back(test::make_tcp_pair());
  bool finished = false;
  auto start = test::clock::now();
  {
    listener l(socket_address::parse("127.0.0.1", 0));
    runtime rt;
    for (int i = 0; i < 4; ++i)
      rt.spawn(recv_forever(descriptor{pairs[i].server.get(), false}, &finished));
    for (int i = 4; i < 8; ++i) {
      rt.spawn(
          multishot_forever(descriptor{pairs[i].server.get(), false}, &rt.buffers(), &finished));
    }
    for (int i = 0; i < 4; ++i) rt.spawn(sleep_forever(&finished));
    rt.spawn(accept_forever(&l, &finished));
    for (int i = 0; i < 3; ++i) rt.run_once(false);  // everything is in the kernel now
    EXPECT_EQ(rt.live_spawned(), 13u);
    EXPECT_GT(frame_pool::live_frames(), baseline);
    // The runtime (then the listener) goes out of scope with all of it in flight.
  }
  EXPECT_LT(test::elapsed_ms(start).count(), 5000);
  EXPECT_FALSE(finished) << "a task was resumed during teardown";
  EXPECT_EQ(frame_pool::live_frames(), baseline);
  // Data arriving now has nowhere to go; if a request were still registered, the
  // kernel would write into freed frames or buffers (ASan reports that).
  for (test::tcp_pair& p : pairs) test::write_all(p.client.get(), test::payload(1, 8192));
  std::this_thread::sleep_for(20ms);
  // A new runtime on this thread works normally afterwards.
  runtime again;
  EXPECT_EQ(frame_pool::live_frames(), baseline);
}

TEST(RuntimeShutdown, OnlyOneRuntimePerThread) {
  runtime rt;
  EXPECT_THROW(runtime second, runtime_setup_error);
  EXPECT_EQ(&runtime::current(), &rt);
}

}  // namespace
}  // namespace coring
