// The user app (seed 001) over real sockets: the body byte for byte (timestamp masked),
// its headers, chained mode through a second user, and the upstream failure statuses.

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/apps/http_conn.hpp"
#include "tests/apps/server_process.hpp"
#include "tests/http/hostile_input.hpp"

namespace coring::test {
namespace {

namespace hostile = coring::test::hostile;

constexpr std::size_t ts_offset = 17;  // [{ "createdAt": "  ← the first timestamp starts here
constexpr std::size_t ts_length = 24;

std::string fixture() {
  std::ifstream in(std::string(CORING_SOURCE_DIR) + "/apps/user/users.json", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string masked(std::string body) {
  if (body.size() >= ts_offset + ts_length) body.replace(ts_offset, ts_length, ts_length, '#');
  return body;
}

// Checks that the body is the fixture with a fresh timestamp in place of the first one.
void expect_user_body(const std::string& body) {
  static const std::string expected = fixture();
  ASSERT_EQ(expected.size(), 3696u);
  ASSERT_EQ(expected.substr(0, ts_offset), "[{ \"createdAt\": \"");
  ASSERT_EQ(body.size(), expected.size());
  EXPECT_TRUE(masked(body) == masked(expected))
      << "body differs from users.json outside the timestamp";
  const std::string ts = body.substr(ts_offset, ts_length);
  tm parts{};
  const char* rest = strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  ASSERT_NE(rest, nullptr) << ts;
  ASSERT_EQ(std::string(rest), ts.substr(19)) << ts;
  EXPECT_TRUE(rest[0] == '.' && std::isdigit(rest[1]) && std::isdigit(rest[2]) &&
              std::isdigit(rest[3]) && rest[4] == 'Z')
      << ts;
  const long long served = static_cast<long long>(timegm(&parts));
  const long long now = static_cast<long long>(::time(nullptr));
  EXPECT_LE(std::llabs(now - served), 5) << ts;
}

void expect_user_headers(const http_reply& r) {
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("engine"), "coring");
  EXPECT_EQ(r.header("location"), "/v1/user");
  EXPECT_EQ(r.header("content-length"), "3696");
  EXPECT_EQ(r.header("date").size(), 29u) << r.header("date");
}

// A port on which nothing listens.
std::uint16_t closed_port() {
  std::uint16_t port = 0;
  unique_fd l = listen_plain(&port);
  return port;  // closed when l goes
}

TEST(UserApp, ServesUsersJsonWithFreshTimestamp) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  for (int i = 0; i < 3; ++i) {  // keep-alive: several on one connection
    http_reply r = c.roundtrip(get_request("/v1/user"));
    ASSERT_EQ(r.status, 200);
    expect_user_headers(r);
    expect_user_body(r.body);
  }
}

TEST(UserApp, TimestampMovesWithTheClock) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  const std::string a = c.roundtrip(get_request("/v1/user")).body.substr(ts_offset, ts_length);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string b = c.roundtrip(get_request("/v1/user")).body.substr(ts_offset, ts_length);
  EXPECT_LT(a, b);  // ISO 8601 orders as text
}

TEST(UserApp, UpstreamPathServesTheSameBody) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  http_reply r = c.roundtrip(get_request("/v1/customer/get"));
  ASSERT_EQ(r.status, 200);
  expect_user_body(r.body);
}

TEST(UserApp, HeadHasLengthButNoBody) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  http_reply r = c.roundtrip("HEAD /v1/user HTTP/1.1\r\nhost: t\r\n\r\n", /*head=*/true);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-length"), "3696");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(c.roundtrip(get_request("/v1/user")).status, 200);  // the stream is still in sync
}

TEST(UserApp, AbsoluteFormTargetIsRoutedByItsPath) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  http_reply r = c.roundtrip("GET http://127.0.0.1:" + std::to_string(user.port()) +
                             "/v1/user HTTP/1.1\r\nhost: t\r\n\r\n");
  ASSERT_EQ(r.status, 200);
  expect_user_body(r.body);
}

TEST(UserApp, OtherPathsAndMethods) {
  server_process user("user", {"--port", "0", "--threads", "1"});
  http_conn c(user.port());
  EXPECT_EQ(c.roundtrip(get_request("/v1/users")).status, 404);
  EXPECT_EQ(c.roundtrip(get_request("/")).status, 404);
  EXPECT_EQ(c.roundtrip("POST /v1/user HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n{}").status,
            405);
  EXPECT_EQ(c.roundtrip("DELETE /v1/user HTTP/1.1\r\nhost: t\r\n\r\n").status, 405);
  EXPECT_EQ(c.roundtrip(get_request("/v1/user")).status, 200);
}

TEST(UserApp, HelpExitsZero) {
  const std::string cmd = std::string(CORING_BIN_DIR) + "/user --help > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(UserApp, ChainedThroughASecondUser) {
  server_process upstream("user", {"--port", "0", "--threads", "1"});
  server_process front("user", {"--port", "0", "--threads", "2", "--upstream",
                                "127.0.0.1:" + std::to_string(upstream.port())});
  std::vector<http_conn> conns;
  for (int i = 0; i < 8; ++i) conns.emplace_back(front.port());
  for (int round = 0; round < 5; ++round) {
    for (http_conn& c : conns) {
      http_reply r = c.roundtrip(get_request("/v1/user"));
      ASSERT_EQ(r.status, 200);
      expect_user_headers(r);
      expect_user_body(r.body);
    }
  }
}

// Seeded random mutations (tests/http/hostile_input.hpp) against a chained user, whose
// handler is asynchronous (it awaits the upstream): pipelined requests that end in a
// parse error while earlier ones wait on the upstream must still be answered in order,
// well framed, and a healthy upstream never shows up as 502/504.
TEST(UserApp, ChainedMutatedRequestsGetWellFramedAnswers) {
  server_process upstream("user", {"--port", "0", "--threads", "1"});
  server_process front("user", {"--port", "0", "--threads", "2", "--upstream",
                                "127.0.0.1:" + std::to_string(upstream.port())});
  const std::vector<std::string> templates = {
      get_request("/v1/user"),
      "GET /v1/user HTTP/1.1\r\nhost: t\r\naccept: application/json\r\nx-trace: 1\r\n\r\n",
      "POST /v1/user HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n{}",
      get_request("/v1/other"),
  };
  const hostile::campaign_result result = hostile::run_campaign(
      front.port(), templates, {200, 400, 404, 405, 408, 413, 414, 431, 501, 505},
      hostile::app_errors::may_keep_alive, hostile::seed_or(9100), hostile::cases_or(2000), 2);
  for (const auto& f : result.failures) ADD_FAILURE() << f;
  EXPECT_GT(result.ok_responses, 500u);
  std::printf("chained user, hostile input: statuses:%s\n", result.histogram().c_str());
  http_conn c(front.port());
  http_reply r = c.roundtrip(get_request("/v1/user"));
  EXPECT_EQ(r.status, 200);
  expect_user_body(r.body);
  EXPECT_EQ(front.stop(), 0);
  EXPECT_EQ(upstream.stop(), 0);
}

// A hostile upstream: every response it sends is a seeded random mutation of a valid
// one (Content-Length, chunked, close-delimited, 1xx first, errors), and it closes the
// connection after each mutated one (so the pool never reuses a connection left in an
// unknown state). Each of our requests must still get one well-framed answer within the
// upstream timeout — whatever the upstream sent — and the front must survive.
class hostile_upstream {
 public:
  explicit hostile_upstream(std::uint64_t seed)
      : listener_(listen_plain(&port_)),
        gen_(seed,
             {"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
              "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
              "world\r\n0\r\n\r\n",
              "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end",
              "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
              "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
              "HTTP/1.1 503 Busy\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\nbusy"},
             /*max_joined=*/1) {
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~hostile_upstream() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    acceptor_.join();
    for (std::thread& t : connections_) t.join();
  }
  std::uint16_t port() const { return port_; }
  int responses() const { return responses_.load(); }

 private:
  void accept_loop() {
    while (!stop_) {
      const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      connections_.emplace_back([this, fd] { serve(unique_fd(fd)); });
    }
  }
  void serve(unique_fd s) {
    set_io_timeout(s.get(), std::chrono::milliseconds(100));
    std::string pending;
    while (!stop_) {
      char buf[4096];
      const ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
      if (n == 0) return;
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      std::size_t end = 0;
      while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
        pending.erase(0, end + 4);
        hostile::case_input reply;
        {
          std::lock_guard lock(mutex_);
          reply = gen_.next();
        }
        // Counted before it is sent: the test may check the count as soon as the front
        // has relayed this response, before this thread would get to count it.
        ++responses_;
        std::size_t from = 0;
        for (std::size_t to : reply.segment_ends) {
          if (to > from) (void)!::send(s.get(), reply.wire.data() + from, to - from, MSG_NOSIGNAL);
          from = to;
        }
        if (reply.mutations > 0 || reply.wire.find("connection: close") != std::string::npos) {
          return;  // closes: what follows a mutated response is unknown
        }
      }
    }
  }

  std::uint16_t port_ = 0;
  unique_fd listener_;
  std::mutex mutex_;
  hostile::generator gen_;
  std::atomic<bool> stop_{false};
  std::atomic<int> responses_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // joined at the end (a few hundred at most)
};

TEST(UserApp, ChainedHostileUpstreamResponsesGetOneWellFramedAnswerEach) {
  hostile_upstream upstream(hostile::seed_or(4242));
  server_process front(
      "user", {"--port", "0", "--threads", "1", "--upstream",
               "127.0.0.1:" + std::to_string(upstream.port()), "--upstream-timeout", "500ms"});
  std::set<int> any_status;
  for (int s = 100; s < 600; ++s) any_status.insert(s);
  std::map<int, int> statuses;
  const int requests = static_cast<int>(hostile::cases_or(400));
  http_conn c(front.port());
  for (int i = 0; i < requests; ++i) {
    const auto started = clock::now();
    http_reply r = c.roundtrip(get_request("/v1/user"));  // throws if none comes
    ++statuses[r.status];
    EXPECT_LT(elapsed_ms(started).count(), 3000) << "request " << i << " hung on the upstream";
    EXPECT_TRUE(any_status.contains(r.status));
    if (r.status == 502 || r.status == 504) {
      EXPECT_EQ(r.header("content-type"), "text/plain");
    }
    if (r.closed) c = http_conn(front.port());
  }
  std::string histogram;
  for (const auto& [status, n] : statuses) {
    histogram += " " + std::to_string(status) + "×" + std::to_string(n);
  }
  std::printf("hostile upstream: %d requests, statuses:%s\n", requests, histogram.c_str());
  EXPECT_GT(statuses[200], requests / 10);  // valid responses still relayed
  EXPECT_GT(statuses[502], requests / 10);  // broken ones mapped to 502
  EXPECT_GE(upstream.responses(), requests);
  EXPECT_EQ(c.roundtrip(get_request("/v1/customer/get")).status, 200);  // local route
  EXPECT_EQ(front.stop(), 0);
}

TEST(UserApp, ChainedUpstreamRefusedIs502) {
  server_process front("user", {"--port", "0", "--threads", "1", "--upstream",
                                "127.0.0.1:" + std::to_string(closed_port())});
  http_conn c(front.port());
  http_reply r = c.roundtrip(get_request("/v1/user"));
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.header("content-type"), "text/plain");
  EXPECT_NE(r.body.find("refused"), std::string::npos) << r.body;
  EXPECT_EQ(c.roundtrip(get_request("/v1/customer/get")).status, 200);  // local routes unaffected
}

TEST(UserApp, ChainedSlowUpstreamIs504) {
  // Accepts (in the kernel backlog) and never answers.
  std::uint16_t port = 0;
  unique_fd silent = listen_plain(&port);
  server_process front(
      "user", {"--port", "0", "--threads", "1", "--upstream", "127.0.0.1:" + std::to_string(port),
               "--upstream-timeout", "300ms"});
  http_conn c(front.port());
  const auto start = clock::now();
  http_reply r = c.roundtrip(get_request("/v1/user"));
  EXPECT_EQ(r.status, 504);
  EXPECT_GE(elapsed_ms(start).count(), 250);
  EXPECT_LT(elapsed_ms(start).count(), 2000);
  // The connection to our client is still good.
  EXPECT_EQ(c.roundtrip(get_request("/v1/customer/get")).status, 200);
}

TEST(UserApp, ChainedUpstreamClosingMidBodyIs502) {
  std::uint16_t port = 0;
  unique_fd l = listen_plain(&port);
  std::atomic<int> served{0};
  std::thread fake([&] {
    for (int i = 0; i < 2; ++i) {
      unique_fd s(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!s) return;
      set_io_timeout(s.get(), std::chrono::seconds(5));
      char buf[4096];
      if (::recv(s.get(), buf, sizeof buf, 0) <= 0) return;
      write_all(s.get(),
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                "3696\r\n\r\n[{ \"crea");
      ++served;
    }  // closes mid-body
  });
  server_process front(
      "user", {"--port", "0", "--threads", "1", "--upstream", "127.0.0.1:" + std::to_string(port)});
  http_conn c(front.port());
  for (int i = 0; i < 2; ++i) {
    http_reply r = c.roundtrip(get_request("/v1/user"));
    EXPECT_EQ(r.status, 502);
    EXPECT_NE(r.body.find("mid-response"), std::string::npos) << r.body;
  }
  fake.join();
  EXPECT_EQ(served.load(), 2);
}

// --upstream-idle-timeout: an upstream connection left idle in the pool is closed once
// it has been idle that long (the pool is swept once a second), not before.
TEST(UserApp, ChainedIdleUpstreamConnectionIsClosedAfterTheIdleTimeout) {
  std::uint16_t port = 0;
  unique_fd l = listen_plain(&port);
  std::atomic<long long> idle_ms{-1};
  std::thread fake([&] {
    unique_fd s(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!s) return;
    set_io_timeout(s.get(), std::chrono::seconds(10));
    char buf[4096];
    if (::recv(s.get(), buf, sizeof buf, 0) <= 0) return;
    write_all(s.get(), "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]");
    const auto answered = std::chrono::steady_clock::now();
    if (::recv(s.get(), buf, sizeof buf, 0) != 0) return;  // waits for the front's close
    idle_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - answered)
                  .count();
  });
  server_process front(
      "user", {"--port", "0", "--threads", "1", "--upstream", "127.0.0.1:" + std::to_string(port),
               "--upstream-idle-timeout", "300ms"});
  http_conn c(front.port());
  EXPECT_EQ(c.roundtrip(get_request("/v1/user")).status, 200);
  fake.join();
  EXPECT_GE(idle_ms.load(), 300) << "closed before its idle timeout";
  EXPECT_LE(idle_ms.load(), 5000) << "an idle upstream connection stayed open";
}

}  // namespace
}  // namespace coring::test
