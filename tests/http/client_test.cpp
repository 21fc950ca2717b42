// http::client in-process against small blocking fake upstreams on a helper thread:
// keep-alive reuse, each error value, chunked / close-delimited bodies, and the retry
// of a pooled connection the upstream had closed.

#include "http/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "core/runtime.hpp"
#include "tests/core/test_support.hpp"

namespace coring::http {
namespace {

using test::unique_fd;

// Reads one request (headers + content-length body) from a blocking socket; empty at EOF.
std::string read_request(int fd, std::string& buffer) {
  for (;;) {
    const auto end = buffer.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t length = 0;
      const auto cl = buffer.find("content-length: ");
      if (cl != std::string::npos && cl < end) length = std::stoul(buffer.substr(cl + 16));
      if (buffer.size() >= end + 4 + length) {
        std::string request = buffer.substr(0, end + 4 + length);
        buffer.erase(0, end + 4 + length);
        return request;
      }
    }
    char chunk[4096];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return {};
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

// A fake upstream: accepts on a helper thread and runs `serve(fd, connection_index)`
// for each connection, one after another.
class fake_upstream {
 public:
  using serve_fn = std::function<void(int fd, int index)>;
  explicit fake_upstream(serve_fn serve) : listen_(test::listen_plain(&port_)) {
    thread_ = std::thread([this, serve = std::move(serve)] {
      for (int index = 0;; ++index) {
        unique_fd s(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!s) return;  // shut down
        ++accepted;
        test::set_io_timeout(s.get(), std::chrono::seconds(10));
        serve(s.get(), index);
      }
    });
  }
  ~fake_upstream() {
    ::shutdown(listen_.get(), SHUT_RDWR);  // wakes accept
    thread_.join();
  }
  socket_address address() const { return socket_address::parse("127.0.0.1", port_); }
  std::atomic<int> accepted{0};

 private:
  std::uint16_t port_ = 0;
  unique_fd listen_;
  std::thread thread_;
};

// Serves keep-alive responses until the client closes.
void keep_alive_server(int fd, int) {
  std::string buffer;
  for (;;) {
    const std::string req = read_request(fd, buffer);
    if (req.empty()) return;
    const std::string body = req.substr(0, req.find(' ')) + " " +
                             req.substr(req.find(' ') + 1, req.find(" HTTP") - req.find(' ') - 1);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " +
                            std::to_string(body.size()) + "\r\n\r\n" + body);
  }
}

struct outcome {
  client_error error;
  client_response response;
};

task<outcome> fetch(client* c, client_request req) {
  outcome o;
  o.error = co_await c->request(req, o.response);
  co_return o;
}

outcome fetch_once(client& c, std::string_view target = "/x") {
  runtime rt;
  client_request req;
  req.target = target;
  return rt.block_on(fetch(&c, req));
}

task<int> fetch_many(client* c, int count) {
  int ok = 0;
  client_response res;
  for (int i = 0; i < count; ++i) {
    client_request req;
    const std::string target = "/n/" + std::to_string(i);
    req.target = target;
    const client_error e = co_await c->request(req, res);
    if (e == client_error::none && res.status == 200 && res.body == "GET " + target) ++ok;
  }
  co_return ok;
}

TEST(HttpClient, OneKeepAliveConnectionServesManyRequests) {
  fake_upstream up(keep_alive_server);
  runtime rt;
  client c(up.address());
  EXPECT_EQ(rt.block_on(fetch_many(&c, 50)), 50);
  EXPECT_EQ(up.accepted.load(), 1);
  EXPECT_EQ(c.stats().connections_opened, 1u);
  EXPECT_EQ(c.idle_connections(), 1u);
}

TEST(HttpClient, ResponseHeadersAndStatus) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 404 Not Found\r\nX-Thing: yes\r\ncontent-length: 4\r\n\r\nnope");
  });
  client c(up.address());
  outcome o = fetch_once(c);
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.status, 404);
  EXPECT_EQ(o.response.header("x-thing"), "yes");
  EXPECT_EQ(o.response.body, "nope");
}

TEST(HttpClient, RefusedConnection) {
  std::uint16_t port = 0;
  { unique_fd l = test::listen_plain(&port); }  // nothing listens there now
  client c(socket_address::parse("127.0.0.1", port));
  EXPECT_EQ(fetch_once(c).error, client_error::connect_refused);
}

TEST(HttpClient, SilentUpstreamTimesOut) {
  std::uint16_t port = 0;
  unique_fd l = test::listen_plain(&port);  // connects complete in the backlog; no answer ever
  client_options options;
  options.timeout = std::chrono::milliseconds(200);
  client c(socket_address::parse("127.0.0.1", port), options);
  const auto start = test::clock::now();
  EXPECT_EQ(fetch_once(c).error, client_error::timeout);
  EXPECT_GE(test::elapsed_ms(start).count(), 180);
  EXPECT_LT(test::elapsed_ms(start).count(), 2000);
}

TEST(HttpClient, SlowBodyTimesOut) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc");
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
  });
  client_options options;
  options.timeout = std::chrono::milliseconds(200);
  client c(up.address(), options);
  EXPECT_EQ(fetch_once(c).error, client_error::timeout);
}

TEST(HttpClient, ResetMidBody) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
  });  // closes
  client c(up.address());
  EXPECT_EQ(fetch_once(c).error, client_error::reset);
  EXPECT_EQ(c.idle_connections(), 0u);
}

TEST(HttpClient, HardResetMidBody) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part");
    linger hard{1, 0};  // close with RST
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  });
  client c(up.address());
  EXPECT_EQ(fetch_once(c).error, client_error::reset);
}

TEST(HttpClient, MalformedResponse) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HELLO THERE\r\n\r\n");
  });
  client c(up.address());
  EXPECT_EQ(fetch_once(c).error, client_error::malformed);
}

// llhttp takes any three digits; a status outside 100..599 (or a 101 nobody asked for)
// must not be relayed as if it were one.
TEST(HttpClient, StatusCodeOutsideTheValidRangeIsMalformed) {
  for (const char* line : {"HTTP/1.1 002 OK", "HTTP/1.1 000 Zero", "HTTP/1.1 600 Beyond",
                           "HTTP/1.1 999 Max", "HTTP/1.1 101 Switching Protocols"}) {
    fake_upstream up([line](int fd, int) {
      std::string buffer;
      read_request(fd, buffer);
      test::write_all(fd, std::string(line) + "\r\ncontent-length: 2\r\n\r\nok");
    });
    client c(up.address());
    EXPECT_EQ(fetch_once(c).error, client_error::malformed) << line;
  }
  fake_upstream edges([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 599 Edge\r\ncontent-length: 2\r\n\r\nok");
  });
  client c(edges.address());
  const outcome o = fetch_once(c);
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.status, 599);
}

TEST(HttpClient, ChunkedResponse) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // arrives in two reads
    test::write_all(fd, "7\r\n, world\r\n0\r\n\r\n");
    read_request(fd, buffer);  // wait for the client to go
  });
  client c(up.address());
  outcome o = fetch_once(c);
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.body, "hello, world");
  EXPECT_EQ(c.idle_connections(), 1u);  // chunked ends cleanly: reusable
}

TEST(HttpClient, CloseDelimitedResponse) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nuntil the end");
  });
  client c(up.address());
  outcome o = fetch_once(c);
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.body, "until the end");
  EXPECT_EQ(c.idle_connections(), 0u);  // not reusable
}

TEST(HttpClient, DeadPooledConnectionIsRetriedOnce) {
  // Each connection answers one request (keep-alive), then the upstream closes it.
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  });
  runtime rt;
  client c(up.address());
  client_request req;
  req.target = "/a";
  EXPECT_EQ(rt.block_on(fetch(&c, req)).error, client_error::none);
  EXPECT_EQ(c.idle_connections(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the close reaches us
  outcome o = rt.block_on(fetch(&c, req));
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.body, "ok");
  EXPECT_EQ(c.stats().retries, 1u);
  EXPECT_EQ(up.accepted.load(), 2);
}

TEST(HttpClient, PostSendsBodyWithLength) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    const std::string req = read_request(fd, buffer);
    const std::string body = req.substr(req.find("\r\n\r\n") + 4);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body);
    read_request(fd, buffer);
  });
  runtime rt;
  client c(up.address());
  client_request req;
  req.method = "POST";
  req.target = "/echo";
  req.body = "payload!";
  outcome o = rt.block_on(fetch(&c, req));
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.body, "payload!");
}

TEST(HttpClient, HeadResponseHasNoBody) {
  fake_upstream up([](int fd, int) {
    std::string buffer;
    read_request(fd, buffer);
    test::write_all(fd, "HTTP/1.1 200 OK\r\ncontent-length: 3696\r\n\r\n");
    read_request(fd, buffer);
  });
  runtime rt;
  client c(up.address());
  client_request req;
  req.method = "HEAD";
  outcome o = rt.block_on(fetch(&c, req));
  EXPECT_EQ(o.error, client_error::none);
  EXPECT_EQ(o.response.header("content-length"), "3696");
  EXPECT_TRUE(o.response.body.empty());
}

TEST(HttpClient, ErrorsHaveReadableNames) {
  EXPECT_EQ(to_string(client_error::timeout), "upstream timed out");
  EXPECT_NE(to_string(client_error::connect_refused).find("refused"), std::string_view::npos);
}

}  // namespace
}  // namespace coring::http
