// listener: multishot accept into direct descriptors, the fall-back to plain fds when
// the ring's table is nearly full, and stop()/drained().

#include <fcntl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <set>
#include <vector>

#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

task<std::vector<accepted>> accept_n(listener* l, std::size_t n, bool then_stop = true) {
  std::vector<accepted> out;
  while (out.size() < n) {
    accepted a = co_await l->accept();
    if (a.error != 0) {
      ADD_FAILURE() << "accept failed: " << std::strerror(a.error);
      break;
    }
    out.push_back(a);
  }
  if (then_stop) {
    l->stop();
    co_await l->drained();
  }
  co_return out;
}

// Reads each connection's 4-byte id (plain recv works on both kinds of descriptor).
task<std::set<std::uint32_t>> read_ids(std::vector<accepted> conns) {
  std::set<std::uint32_t> ids;
  for (const accepted& a : conns) {
    std::uint32_t id = 0;
    io_result r = co_await recv(a.socket, &id, sizeof id, MSG_WAITALL);
    EXPECT_EQ(r.value, 4) << r.message();
    ids.insert(id);
  }
  co_return ids;
}

task<void> close_all(std::vector<accepted> conns) {
  for (const accepted& a : conns) {
    io_result r = co_await close(a.socket);
    EXPECT_TRUE(r.ok()) << r.message();
  }
}

void send_ids(std::vector<test::unique_fd>& clients) {
  for (std::uint32_t i = 0; i < clients.size(); ++i)
    test::write_all(clients[i].get(), &i, sizeof i);
}

TEST(Accept, MultishotAcceptsManyConnectionsAsDirectDescriptors) {
  test::watchdog dog(30s, "accept many");
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  constexpr std::size_t count = 500;
  std::vector<test::unique_fd> clients = test::connect_many(l.port(), count);
  send_ids(clients);
  const auto submitted = rt.stats().sqes_submitted;
  std::vector<accepted> conns = rt.block_on(accept_n(&l, count));
  ASSERT_EQ(conns.size(), count);
  // Multishot: a handful of SQEs for 500 connections, not one each.
  EXPECT_LT(rt.stats().sqes_submitted - submitted, 10u);
  std::set<int> slots;
  for (const accepted& a : conns) {
    EXPECT_TRUE(a.socket.direct);
    slots.insert(a.socket.index);
  }
  EXPECT_EQ(slots.size(), count) << "two connections share a direct-descriptor slot";
  EXPECT_EQ(rt.fixed_files_in_use(), count);

  std::set<std::uint32_t> ids = rt.block_on(read_ids(conns));
  EXPECT_EQ(ids.size(), count);
  EXPECT_EQ(*ids.rbegin(), count - 1);
  rt.block_on(close_all(conns));
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
  // Closing the slots closed the server side: every client sees EOF.
  char byte;
  for (test::unique_fd& c : clients) EXPECT_EQ(::recv(c.get(), &byte, 1, 0), 0);
}

std::size_t count_direct(const std::vector<accepted>& conns) {
  std::size_t direct = 0;
  for (const accepted& a : conns) {
    if (a.socket.direct) {
      ++direct;
    } else {
      EXPECT_GE(::fcntl(a.socket.index, F_GETFD), 0) << "not a plain fd";
    }
  }
  return direct;
}

TEST(Accept, FallsBackToPlainFdsOnceDirectTableIsTight) {
  test::watchdog dog(30s, "accept fallback");
  // 70 slots with a margin of 64: once a few are in use, new accepts get plain fds.
  runtime rt(runtime::options{.fixed_files = 70});
  ASSERT_EQ(rt.fixed_file_capacity(), 70u);
  listener l(socket_address::parse("127.0.0.1", 0));
  // Phase 1: one burst (already in the backlog) lands while direct mode is armed.
  std::vector<test::unique_fd> first = test::connect_many(l.port(), 20);
  send_ids(first);
  std::vector<accepted> conns = rt.block_on(accept_n(&l, 20, /*then_stop=*/false));
  EXPECT_GT(count_direct(conns), 0u);
  // Phase 2: the table is tight now, so these must be plain fds.
  std::vector<test::unique_fd> second = test::connect_many(l.port(), 20);
  for (std::uint32_t i = 0; i < 20; ++i) {
    std::uint32_t id = 100 + i;
    test::write_all(second[i].get(), &id, sizeof id);
  }
  std::vector<accepted> more = rt.block_on(accept_n(&l, 20));
  EXPECT_EQ(count_direct(more), 0u) << "direct accepts beyond the table's margin";
  EXPECT_LE(rt.fixed_files_in_use(), rt.fixed_file_capacity());
  EXPECT_EQ(rt.block_on(read_ids(conns)).size(), 20u);
  EXPECT_EQ(rt.block_on(read_ids(more)).size(), 20u) << "some plain connection was unusable";
  rt.block_on(close_all(conns));
  rt.block_on(close_all(more));
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
}

TEST(Accept, BurstLargerThanDirectTableSpillsIntoPlainFds) {
  test::watchdog dog(30s, "accept overflow");
  runtime rt(runtime::options{.fixed_files = 70});
  listener l(socket_address::parse("127.0.0.1", 0));
  constexpr std::size_t count = 200;
  std::vector<test::unique_fd> clients = test::connect_many(l.port(), count);
  send_ids(clients);
  std::vector<accepted> conns = rt.block_on(accept_n(&l, count));
  ASSERT_EQ(conns.size(), count);
  const std::size_t direct = count_direct(conns);
  EXPECT_GT(direct, 0u);
  EXPECT_LE(direct, 70u);
  EXPECT_LT(direct, count);
  EXPECT_EQ(rt.fixed_files_in_use(), direct);
  EXPECT_EQ(rt.block_on(read_ids(conns)).size(), count);
  rt.block_on(close_all(conns));
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
}

TEST(Accept, PlainDescriptorsWhenAsked) {
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0), listen_options{.direct_descriptors = false});
  std::vector<test::unique_fd> clients = test::connect_many(l.port(), 3);
  send_ids(clients);
  std::vector<accepted> conns = rt.block_on(accept_n(&l, 3));
  ASSERT_EQ(conns.size(), 3u);
  for (const accepted& a : conns) {
    EXPECT_FALSE(a.socket.direct);
    EXPECT_GE(::fcntl(a.socket.index, F_GETFD), 0);
    EXPECT_NE(::fcntl(a.socket.index, F_GETFD) & FD_CLOEXEC, 0);
  }
  EXPECT_EQ(rt.block_on(read_ids(conns)).size(), 3u);
  rt.block_on(close_all(conns));
  EXPECT_EQ(rt.fixed_files_in_use(), 0u);
}

task<void> stop_after(listener* l, std::chrono::milliseconds delay) {
  co_await sleep_for(delay);
  l->stop();
}

task<int> accept_until_stopped(listener* l) {
  runtime::current().spawn(stop_after(l, 10ms));
  accepted a = co_await l->accept();
  co_await l->drained();
  co_return a.error;
}

TEST(Accept, StopEndsAPendingAcceptWithEcanceled) {
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  auto start = test::clock::now();
  EXPECT_EQ(rt.block_on(accept_until_stopped(&l)), ECANCELED);
  EXPECT_LT(test::elapsed_ms(start).count(), 500);
  EXPECT_EQ(rt.failures_reported(), 0u);
}

TEST(Accept, ReusePortLetsTwoListenersShareAPort) {
  runtime rt;
  listener a(socket_address::parse("127.0.0.1", 0));
  listener b(socket_address::parse("127.0.0.1", a.port()), listen_options{.claim_port = false});
  EXPECT_EQ(a.port(), b.port());
  EXPECT_THROW(
      listener(socket_address::parse("127.0.0.1", a.port()), listen_options{.reuse_port = false}),
      std::system_error);
}

// Error code of a claiming listener on `port`, 0 when it was not refused.
int claim_error(std::uint16_t port) {
  try {
    listener l(socket_address::parse("127.0.0.1", port));
    return 0;
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(":" + std::to_string(port)), std::string::npos)
        << e.what();
    return e.code().value();
  }
}

TEST(Accept, ClaimingAPortAnotherListenerHoldsIsRefused) {
  runtime rt;
  listener a(socket_address::parse("127.0.0.1", 0));
  EXPECT_EQ(claim_error(a.port()), EADDRINUSE);  // what a second process does

  // A foreign listener that itself allows sharing (SO_REUSEPORT, same user).
  const int foreign = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ASSERT_EQ(::setsockopt(foreign, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one), 0);
  const socket_address any = socket_address::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(foreign, any.get(), any.length), 0);
  ASSERT_EQ(::listen(foreign, 16), 0);
  socket_address bound;
  bound.length = sizeof bound.storage;
  ::getsockname(foreign, reinterpret_cast<sockaddr*>(&bound.storage), &bound.length);
  EXPECT_EQ(claim_error(bound.port()), EADDRINUSE);
  ::close(foreign);
}

// Shuts the listening socket down once the accept is armed.
task<void> shut_down_listening_socket(int fd) {
  co_await sleep_for(20ms);
  ::shutdown(fd, SHUT_RDWR);
}

task<std::vector<int>> accept_errors(listener* l, int count) {
  std::vector<int> errors;
  for (int i = 0; i < count; ++i) {
    accepted a = co_await l->accept();
    errors.push_back(a.error);
  }
  co_return errors;
}

// A listening socket that breaks (here: shut down under a pending multishot accept,
// which then fails with EINVAL) is reported to accept(), once and for all, instead of
// being retried every 10 ms forever.
TEST(Accept, BrokenListenerIsReportedNotRetried) {
  test::watchdog dog(10s, "broken listener");
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  rt.spawn(shut_down_listening_socket(l.fd()));
  const auto start = test::clock::now();
  std::vector<int> errors = rt.block_on(accept_errors(&l, 2));
  EXPECT_LT(test::elapsed_ms(start), 2s);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], EINVAL) << std::strerror(errors[0]);
  EXPECT_EQ(errors[1], EINVAL) << "a later accept() must report it too";
  EXPECT_EQ(rt.stats().accept_errors, 1u);
  EXPECT_EQ(rt.stats().accept_backoffs, 0u);
  // Nothing is left armed: draining completes at once, and stop() turns the answer into
  // ECANCELED as for a healthy listener.
  l.stop();
  rt.block_on([](listener* me) -> task<void> { co_await me->drained(); }(&l));
  EXPECT_EQ(rt.block_on(accept_errors(&l, 1)).front(), ECANCELED);
}

}  // namespace
}  // namespace coring
