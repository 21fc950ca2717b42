// Single-shot socket operations: connect, send, recv, writev, sendmsg, shutdown, close.

#include "core/io.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

struct io_outcome {
  int connect = 1, sent = 0, vectored = 0, message = 0, shut = 1, closed = 1;
  std::string echoed;
};

// Connects a fresh client socket through the ring, talks to the accepted side.
task<void> round_trip(listener* l, int client_fd, io_outcome* out) {
  const socket_address to = socket_address::parse("127.0.0.1", l->port());
  const descriptor client{client_fd, false};
  out->connect = (co_await connect(client, to.get(), to.length)).value;
  accepted server = co_await l->accept();
  l->stop();
  co_await l->drained();

  out->sent = (co_await send(client, "ping", 4)).value;
  iovec parts[2] = {{const_cast<char*>("wri"), 3}, {const_cast<char*>("tev"), 3}};
  out->vectored = (co_await writev(client, parts, 2)).value;
  msghdr msg{};
  iovec one{const_cast<char*>("msg"), 3};
  msg.msg_iov = &one;
  msg.msg_iovlen = 1;
  out->message = (co_await sendmsg(client, &msg)).value;
  out->shut = (co_await shutdown(client, SHUT_WR)).value;

  char buf[64];
  for (;;) {
    io_result n = co_await recv(server.socket, buf, sizeof buf);
    if (n.value <= 0) break;
    out->echoed.append(buf, static_cast<std::size_t>(n.value));
  }
  out->closed = (co_await close(server.socket)).value;
}

TEST(Io, ConnectSendWritevSendmsgShutdownRecvClose) {
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  test::unique_fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  io_outcome out;
  rt.block_on(round_trip(&l, client.get(), &out));
  EXPECT_EQ(out.connect, 0);
  EXPECT_EQ(out.sent, 4);
  EXPECT_EQ(out.vectored, 6);
  EXPECT_EQ(out.message, 3);
  EXPECT_EQ(out.shut, 0);
  EXPECT_EQ(out.echoed, "pingwritevmsg");
  EXPECT_EQ(out.closed, 0);
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
  char byte;
  EXPECT_EQ(::recv(client.get(), &byte, 1, 0), 0) << "closing the direct slot closes the socket";
}

task<int> connect_refused(int fd, std::uint16_t port) {
  const socket_address to = socket_address::parse("127.0.0.1", port);
  co_return (co_await connect(descriptor{fd, false}, to.get(), to.length)).value;
}

TEST(Io, ErrorsAreValuesNotExceptions) {
  runtime rt;
  std::uint16_t port = 0;
  { test::unique_fd l = test::listen_plain(&port); }  // closed: nothing listens there now
  test::unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(rt.block_on(connect_refused(fd.get(), port)), -ECONNREFUSED);
  io_result r{-ECONNREFUSED};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), ECONNREFUSED);
  EXPECT_FALSE(r.message().empty());
}

}  // namespace
}  // namespace coring
