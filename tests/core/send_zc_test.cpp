// send_zc: the waiter resumes after the notification CQE, so the buffer may be reused
// the moment co_await returns; zero_copy_policy turns zero copy off where it copies.

#include "core/send_zc.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

struct zc_outcome {
  long sent = 0;
  int calls = 0;
  int copied = 0;
  int error = 0;
};

// Sends `buffer` in chunks; after each send completes, scribbles over what it sent:
// if the kernel still referenced those pages, the receiver would see the scribble.
task<void> send_and_scribble(descriptor d, std::string* buffer, std::size_t chunk,
                             zc_outcome* out) {
  std::size_t offset = 0;
  while (offset < buffer->size()) {
    const std::size_t length = std::min(chunk, buffer->size() - offset);
    zc_result r = co_await send_zc(d, buffer->data() + offset, length);
    ++out->calls;
    if (!r.sent) {
      out->error = r.sent.value;
      co_return;
    }
    if (r.copied) ++out->copied;
    std::memset(buffer->data() + offset, 0xEE, static_cast<std::size_t>(r.sent.value));
    offset += static_cast<std::size_t>(r.sent.value);
    out->sent += r.sent.value;
  }
  co_await shutdown(d, SHUT_WR);
}

TEST(SendZc, DeliversIntactDataAndCompletesAfterNotification) {
  test::watchdog dog(30s, "send_zc");
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  const std::string expected = test::payload(9, 4 * 1024 * 1024 + 5);
  std::string buffer = expected;
  std::string received;
  std::thread reader([&] { received = test::read_to_eof(pair.client.get()); });
  zc_outcome out;
  rt.block_on(send_and_scribble(descriptor{pair.server.get(), false}, &buffer, 256 * 1024, &out));
  reader.join();
  EXPECT_EQ(out.error, 0) << std::strerror(-out.error);
  EXPECT_EQ(out.sent, static_cast<long>(expected.size()));
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_EQ(test::checksum(received), test::checksum(expected)) << "data changed under send_zc";
  EXPECT_EQ(rt.stats().zc_sends, static_cast<std::uint64_t>(out.calls));
  // Loopback cannot send from user pages: the notification reports a copy.
  EXPECT_EQ(out.copied, out.calls);
  EXPECT_EQ(rt.stats().zc_copied, static_cast<std::uint64_t>(out.calls));
}

task<void> accept_and_send(listener* l, std::string* buffer, zc_outcome* out) {
  accepted a = co_await l->accept();
  l->stop();
  co_await l->drained();
  EXPECT_TRUE(a.socket.direct);
  co_await send_and_scribble(a.socket, buffer, 64 * 1024, out);
  co_await close(a.socket);
}

TEST(SendZc, WorksOnDirectDescriptors) {
  test::watchdog dog(30s, "send_zc direct");
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  test::unique_fd client = test::connect_to(l.port());
  const std::string expected = test::payload(10, 300 * 1024);
  std::string buffer = expected;
  std::string received;
  std::thread reader([&] { received = test::read_to_eof(client.get()); });
  zc_outcome out;
  rt.block_on(accept_and_send(&l, &buffer, &out));
  reader.join();
  EXPECT_EQ(out.error, 0);
  EXPECT_EQ(test::checksum(received), test::checksum(expected));
  EXPECT_GT(rt.stats().zc_sends, 0u);
}

task<int> zc_to_closed(descriptor d) {
  char data[16] = {};
  zc_result r = co_await send_zc(d, data, sizeof data);
  co_return r.sent.value;
}

TEST(SendZc, ErrorCompletesWithoutWaitingForever) {
  runtime rt;
  test::tcp_pair pair = test::make_tcp_pair();
  ::shutdown(pair.server.get(), SHUT_WR);
  EXPECT_EQ(rt.block_on(zc_to_closed(descriptor{pair.server.get(), false})), -EPIPE);
}

TEST(ZeroCopyPolicy, UsesThresholdAndTurnsOffAfterCopy) {
  zero_copy_policy policy(16 * 1024);
  EXPECT_FALSE(policy.use_for(1000));
  EXPECT_TRUE(policy.use_for(16 * 1024));
  policy.observe(zc_result{io_result{100}, false});
  EXPECT_TRUE(policy.enabled());
  policy.observe(zc_result{io_result{100}, true});
  EXPECT_FALSE(policy.enabled());
  EXPECT_FALSE(policy.use_for(1 << 20));
}

}  // namespace
}  // namespace coring
