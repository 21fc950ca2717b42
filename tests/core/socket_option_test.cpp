// setsockopt through io_uring (core/socket_option.hpp).

#include "core/socket_option.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

int option_of(int fd, int level, int name) {
  int value = -1;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, level, name, &value, &length) != 0) return -1;
  return value;
}

task<int> set_through_ring(int fd, int level, int name, int value) {
  const int kept = value;  // lives in this frame until the CQE
  co_return (co_await set_socket_option(descriptor{fd, false}, static_cast<std::uint32_t>(level),
                                        static_cast<std::uint32_t>(name), &kept))
      .value;
}

TEST(SocketOption, SetsTheOptionAsSetsockoptWould) {
  runtime rt;
  test::unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(option_of(fd.get(), IPPROTO_TCP, TCP_NODELAY), 0);
  ASSERT_EQ(option_of(fd.get(), SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(rt.block_on(set_through_ring(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1)), 0);
  EXPECT_EQ(rt.block_on(set_through_ring(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1)), 0);
  EXPECT_EQ(option_of(fd.get(), IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ(option_of(fd.get(), SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ(rt.block_on(set_through_ring(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 0)), 0);
  EXPECT_EQ(option_of(fd.get(), SOL_SOCKET, SO_KEEPALIVE), 0);
}

TEST(SocketOption, ANonSocketOrAnUnknownOptionIsAnErrorValue) {
  runtime rt;
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  test::unique_fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
  EXPECT_LT(rt.block_on(set_through_ring(read_end.get(), IPPROTO_TCP, TCP_NODELAY, 1)), 0);
  test::unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(rt.block_on(set_through_ring(fd.get(), IPPROTO_TCP, 9999, 1)), -ENOPROTOOPT);
}

}  // namespace
}  // namespace coring
