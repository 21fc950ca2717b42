// splice: socket → pipe → socket inside the kernel (the proxy's data path).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

struct pipe_pair {
  test::unique_fd read_end;
  test::unique_fd write_end;
};

pipe_pair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) test::fail_errno("pipe2");
  return {test::unique_fd(fds[0]), test::unique_fd(fds[1])};
}

// Moves everything from `in` to `out` through the pipe until EOF, then half-closes out.
task<long> relay(descriptor in, descriptor out, descriptor pipe_in, descriptor pipe_out) {
  long total = 0;
  for (;;) {
    io_result n = co_await splice(in, pipe_in, 64 * 1024);
    if (n.value < 0) co_return n.value;
    if (n.value == 0) break;
    int left = n.value;
    while (left > 0) {
      io_result m = co_await splice(pipe_out, out, static_cast<unsigned>(left));
      if (m.value <= 0) co_return m.value < 0 ? m.value : -EPIPE;
      left -= m.value;
    }
    total += n.value;
  }
  co_await shutdown(out, SHUT_WR);
  co_return total;
}

TEST(Splice, MovesBytesSocketToPipeToSocketWithPlainFds) {
  test::watchdog dog(30s, "splice plain");
  runtime rt;
  test::tcp_pair upstream = test::make_tcp_pair();    // client writes, server side relays in
  test::tcp_pair downstream = test::make_tcp_pair();  // relay writes server side, client reads
  pipe_pair p = make_pipe();
  const std::string sent = test::payload(42, 1024 * 1024 + 17);
  std::string received;
  std::thread writer([&] {
    test::write_all(upstream.client.get(), sent);
    ::shutdown(upstream.client.get(), SHUT_WR);
  });
  std::thread reader([&] { received = test::read_to_eof(downstream.client.get()); });
  long moved = rt.block_on(
      relay(descriptor{upstream.server.get(), false}, descriptor{downstream.server.get(), false},
            descriptor{p.write_end.get(), false}, descriptor{p.read_end.get(), false}));
  writer.join();
  reader.join();
  EXPECT_EQ(moved, static_cast<long>(sent.size()));
  EXPECT_EQ(received.size(), sent.size());
  EXPECT_EQ(test::checksum(received), test::checksum(sent));
}

task<long> accept_two_and_relay(listener* l, descriptor pipe_in, descriptor pipe_out) {
  accepted in = co_await l->accept();
  accepted out = co_await l->accept();
  l->stop();
  co_await l->drained();
  EXPECT_TRUE(in.socket.direct);
  EXPECT_TRUE(out.socket.direct);
  long moved = co_await relay(in.socket, out.socket, pipe_in, pipe_out);
  co_await close(in.socket);
  co_await close(out.socket);
  co_return moved;
}

TEST(Splice, MovesBytesBetweenDirectDescriptors) {
  test::watchdog dog(30s, "splice direct");
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  // Connected in this order, so accepted in this order (the backlog is FIFO).
  test::unique_fd source = test::connect_to(l.port());
  test::unique_fd sink = test::connect_to(l.port());
  pipe_pair p = make_pipe();
  const std::string sent = test::payload(43, 512 * 1024 + 3);
  std::string received;
  std::thread writer([&] {
    test::write_all(source.get(), sent);
    ::shutdown(source.get(), SHUT_WR);
  });
  std::thread reader([&] { received = test::read_to_eof(sink.get()); });
  long moved = rt.block_on(accept_two_and_relay(&l, descriptor{p.write_end.get(), false},
                                                descriptor{p.read_end.get(), false}));
  writer.join();
  reader.join();
  EXPECT_EQ(moved, static_cast<long>(sent.size()));
  EXPECT_EQ(test::checksum(received), test::checksum(sent));
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
}

}  // namespace
}  // namespace coring
