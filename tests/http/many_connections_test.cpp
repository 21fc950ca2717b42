// 2,000 concurrent connections, all open at once, each with its own request in
// flight: every one gets its own correct response. And what an idle keep-alive
// connection keeps: one coroutine frame, nothing nested.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "core/frame_pool.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

// Each connection: its fd, its request, what it received so far.
struct conn {
  int fd = -1;
  std::string request;
  std::size_t sent = 0;
  std::string received;
  bool done = false;
};

TEST(ManyConnections, TwoThousandConcurrentConnectionsAllGetTheirResponse) {
  constexpr int count = 2000;
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  if (nofile.rlim_cur < count + 200) {
    nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, count + 200);
    setrlimit(RLIMIT_NOFILE, &nofile);
  }
  if (nofile.rlim_cur < count + 100) GTEST_SKIP() << "RLIMIT_NOFILE too low: " << nofile.rlim_cur;

  fn_handler h = echo_path_handler();
  test_server srv(h);

  std::vector<conn> conns(count);
  for (int i = 0; i < count; ++i) {
    conns[i].fd = try_connect(srv.port(), /*nonblocking=*/true);
    ASSERT_GE(conns[i].fd, 0) << "connect " << i << ": " << std::strerror(-conns[i].fd);
    conns[i].request = get_request("/conn/" + std::to_string(i));
  }

  // One poll loop drives every connection: write the request, read the response.
  std::vector<pollfd> fds(count);
  int remaining = count;
  const auto deadline = steady::now() + 30s;
  while (remaining > 0 && steady::now() < deadline) {
    for (int i = 0; i < count; ++i) {
      fds[i] = {conns[i].fd, 0, 0};
      if (conns[i].done)
        fds[i].fd = -1;
      else
        fds[i].events = conns[i].sent < conns[i].request.size() ? POLLOUT : POLLIN;
    }
    ASSERT_GE(::poll(fds.data(), fds.size(), 1000), 0);
    for (int i = 0; i < count; ++i) {
      conn& c = conns[i];
      if (c.done || fds[i].revents == 0) continue;
      if (c.sent < c.request.size()) {
        const ssize_t n =
            ::send(c.fd, c.request.data() + c.sent, c.request.size() - c.sent, MSG_NOSIGNAL);
        if (n > 0)
          c.sent += static_cast<std::size_t>(n);
        else
          ASSERT_TRUE(errno == EAGAIN || errno == ENOTCONN)
              << "send " << i << ": " << std::strerror(errno);
        continue;
      }
      char buffer[4096];
      const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      ASSERT_NE(n, 0) << "connection " << i << " closed early";
      if (n < 0) {
        ASSERT_EQ(errno, EAGAIN) << std::strerror(errno);
        continue;
      }
      c.received.append(buffer, static_cast<std::size_t>(n));
      std::size_t used = 0;
      if (auto r = parse_response(c.received, false, &used)) {
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "/conn/" + std::to_string(i));
        EXPECT_EQ(used, c.received.size());
        c.done = true;
        --remaining;
      }
    }
  }
  EXPECT_EQ(remaining, 0);
  for (conn& c : conns) ::close(c.fd);
}

// The handler runs on the server's thread, whose frame pool it reports: after 200
// connections have each been answered once and sit idle, the thread holds exactly 200
// more frames — the connections' own, with no wrapper frame from spawning them and no
// nested task frame alive during the idle wait (http/README.md, "What an idle
// connection costs").
TEST(ManyConnections, AnIdleKeepAliveConnectionKeepsOneFrame) {
  constexpr std::size_t idle = 200;
  fn_handler h(
      [](request&, response& res) { res.body(std::to_string(frame_pool::live_frames())); });
  test_server srv(h);
  client probe(srv.port());
  const auto frames = [&probe] { return std::stoul(probe.roundtrip(get_request("/")).body); };
  const std::size_t before = frames();
  std::vector<client> idlers;
  for (std::size_t i = 0; i < idle; ++i) {
    idlers.emplace_back(srv.port());
    EXPECT_EQ(idlers.back().roundtrip(get_request("/")).status, 200);
  }
  EXPECT_EQ(frames(), before + idle);
}

}  // namespace
}  // namespace coring::http::test
