// The hello app as a black box: the built binary in a child process, its exact
// response bytes, pipelining, its flags, and graceful shutdown on SIGTERM.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "../http/test_client.hpp"
#include "tests/apps/break_listener.hpp"

namespace coring::http::test {
namespace {

// A child process running CORING_BIN_DIR "/hello" with stdout and stderr piped.
class hello_process {
 public:
  explicit hello_process(std::vector<std::string> args) {
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) throw_errno("pipe2");
    const std::string path = CORING_BIN_DIR "/hello";
    args.insert(args.begin(), path);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw_errno("fork");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(err[1], STDERR_FILENO);
      ::execv(path.c_str(), argv.data());
      _exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
  }
  ~hello_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(err_);
  }
  hello_process(const hello_process&) = delete;
  hello_process& operator=(const hello_process&) = delete;

  pid_t pid() const noexcept { return pid_; }

  // Waits for "listening on HOST:PORT ..." (the first stdout line); returns PORT.
  std::uint16_t wait_listening() {
    const std::string line = read_line(out_, 10s);
    std::smatch m;
    if (!std::regex_search(line, m, std::regex(R"(^listening on [^ ]*:(\d+))"))) {
      throw std::runtime_error("unexpected first line: '" + line + "' stderr: " + drain(err_));
    }
    return static_cast<std::uint16_t>(std::stoi(m[1]));
  }

  // The exit code, or -1 if it did not exit within `limit` (then it is killed).
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    while (steady::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(5ms);
    }
    return -1;
  }

  std::string stdout_rest() { return drain(out_); }
  std::string stderr_rest() { return drain(err_); }

 private:
  static std::string read_line(int fd, std::chrono::milliseconds limit) {
    std::string line;
    const auto deadline = steady::now() + limit;
    char c = 0;
    while (steady::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      if (::read(fd, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }
  // Everything the (exited) child wrote.
  static std::string drain(int fd) {
    std::string all;
    char chunk[4096];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 2000) != 1) break;
      const ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      all.append(chunk, static_cast<std::size_t>(n));
    }
    return all;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// The whole response, byte for byte, apart from the date value.
const std::regex exact_hello(
    "HTTP/1\\.1 200 OK\r\n"
    "content-length: 12\r\n"
    "date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT\r\n"
    "\r\n"
    "Hello world!");

TEST(Hello, AnswersWithTheExact88ByteResponse) {
  hello_process hello({"--port", "0", "--threads", "2"});
  client c(hello.wait_listening());
  const http_response r = c.roundtrip("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(r.raw.size(), 88u) << r.raw;
  EXPECT_TRUE(std::regex_match(r.raw, exact_hello)) << r.raw;
  EXPECT_TRUE(c.pending().empty()) << "bytes after the response: " << c.pending();
  EXPECT_FALSE(c.closed_within(100ms));  // keep-alive
}

TEST(Hello, HeadGetsHeadersOnlyAndOtherMethods405) {
  hello_process hello({"--port", "0", "--threads", "2"});
  client c(hello.wait_listening());
  const http_response head = c.roundtrip("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", /*no_body=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "12");
  const http_response post = c.roundtrip("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.header("allow"), "GET, HEAD");
  // Absolute form (RFC 9112 §3.2.2) and a missing Host (§3.2).
  EXPECT_EQ(c.roundtrip("GET http://h:1/any HTTP/1.1\r\nHost: h\r\n\r\n").body, "Hello world!");
  EXPECT_EQ(c.roundtrip("GET / HTTP/1.1\r\n\r\n").status, 400);
}

TEST(Hello, PipelinedRequestsGetPipelinedResponses) {
  hello_process hello({"--port", "0", "--threads", "2"});
  client c(hello.wait_listening());
  std::string batch;
  for (int i = 0; i < 200; ++i) batch += get_request("/");
  c.send(batch);
  for (int i = 0; i < 200; ++i) {
    const http_response r = c.expect_response();
    ASSERT_EQ(r.raw.size(), 88u) << "response " << i;
    ASSERT_TRUE(std::regex_match(r.raw, exact_hello)) << r.raw;
  }
  EXPECT_TRUE(c.pending().empty());
}

// A server whose listening socket breaks must not live on unable to accept (nor retry
// every 10 ms forever): it drains what it has, says why, and exits 1.
TEST(Hello, BrokenListenerEndsTheProcessWithExitOne) {
  hello_process hello({"--port", "0", "--threads", "2"});
  const std::uint16_t port = hello.wait_listening();
  {
    client c(port);
    EXPECT_EQ(c.roundtrip(get_request("/")).status, 200);
  }
  ASSERT_GE(coring::test::break_listening_sockets(hello.pid(), port), 1);
  EXPECT_EQ(hello.wait_exit(10s), 1) << "still running (-1) or wrong exit code";
  const std::string err = hello.stderr_rest();
  EXPECT_NE(err.find("accept on"), std::string::npos) << err;
  EXPECT_NE(err.find("Invalid argument"), std::string::npos) << err;
}

TEST(Hello, HelpExitsZeroWithUsage) {
  hello_process hello({"--help"});
  EXPECT_EQ(hello.wait_exit(5s), 0);
  const std::string out = hello.stdout_rest() + hello.stderr_rest();
  EXPECT_NE(out.find("usage: hello"), std::string::npos) << out;
  EXPECT_NE(out.find("--threads"), std::string::npos) << out;
}

TEST(Hello, UnknownFlagExitsTwoWithAMessage) {
  hello_process hello({"--port", "0", "--no-such-flag"});
  EXPECT_EQ(hello.wait_exit(5s), 2);
  const std::string err = hello.stderr_rest();
  EXPECT_NE(err.find("no-such-flag"), std::string::npos) << err;
}

TEST(Hello, MalformedFlagValueExitsTwoWithAMessage) {
  hello_process hello({"--port", "not-a-number"});
  EXPECT_EQ(hello.wait_exit(5s), 2);
  const std::string err = hello.stderr_rest();
  EXPECT_NE(err.find("port"), std::string::npos) << err;
}

TEST(Hello, BackpressureFlagsAreValidated) {
  // Each bad value exits 2 with a message naming its flag.
  for (auto [flag, value] :
       {std::pair{"--max-queued-receives", "0"}, std::pair{"--send-timeout", "soon"},
        std::pair{"--idle-batch", "5000"}, std::pair{"--idle-batch-delay", "0"}}) {
    hello_process bad({"--port", "0", flag, value});
    EXPECT_EQ(bad.wait_exit(5s), 2) << flag;
    EXPECT_NE(bad.stderr_rest().find(flag + 2), std::string::npos) << flag;
  }
  for (const char* flag : {"--send-timeout", "--header-timeout", "--idle-timeout"}) {
    hello_process zero_timeout({"--port", "0", flag, "0"});
    EXPECT_EQ(zero_timeout.wait_exit(5s), 2) << flag;
    EXPECT_NE(zero_timeout.stderr_rest().find("must be more than 0"), std::string::npos) << flag;
  }
  hello_process help({"--help"});
  EXPECT_EQ(help.wait_exit(5s), 0);
  const std::string usage = help.stdout_rest() + help.stderr_rest();
  EXPECT_NE(usage.find("--send-timeout"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--max-queued-receives"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--idle-batch"), std::string::npos) << usage;
}

TEST(Hello, SigtermAnswersEverySentRequestThenExitsZero) {
  hello_process hello({"--port", "0", "--threads", "2", "--drain-timeout", "2s"});
  const std::uint16_t port = hello.wait_listening();
  constexpr int connections = 50;
  constexpr int per_connection = 3;
  std::vector<client> conns;
  for (int i = 0; i < connections; ++i) {
    conns.emplace_back(port);
    ASSERT_EQ(conns.back().roundtrip(get_request("/warm")).status, 200);  // accepted, keep-alive
  }
  std::string batch;
  for (int i = 0; i < per_connection; ++i) batch += get_request("/");
  for (client& c : conns) c.send(batch);  // in the server's socket buffers before the signal
  const auto signalled = steady::now();
  ASSERT_EQ(::kill(hello.pid(), SIGTERM), 0);

  int answered = 0;
  for (client& c : conns) {
    for (int i = 0; i < per_connection; ++i) {
      auto r = c.read_response(false, 5s);
      if (!r) break;
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->body, "Hello world!");
      ++answered;
    }
    EXPECT_TRUE(c.closed_within(5s)) << "connection not closed by the shutdown";
  }
  EXPECT_EQ(answered, connections * per_connection)
      << "requests sent before SIGTERM went unanswered";

  const int code = hello.wait_exit(5s);
  EXPECT_EQ(code, 0) << hello.stderr_rest();
  EXPECT_LT(steady::now() - signalled, 3s) << "exit took longer than the 2 s drain bound";
  const int fd = try_connect(port);
  EXPECT_EQ(fd, -ECONNREFUSED) << "still accepting after shutdown";
  if (fd >= 0) ::close(fd);
}

TEST(Hello, SigtermLetsAHalfSentRequestFinishWithinTheDrainBound) {
  hello_process hello({"--port", "0", "--threads", "2", "--drain-timeout", "3s"});
  const std::uint16_t port = hello.wait_listening();
  client busy(port);
  busy.send("GET /in-flight HTTP/1.1\r\nHost: h\r\n");  // half a request
  client idle(port);
  ASSERT_EQ(idle.roundtrip(get_request("/")).status, 200);
  std::this_thread::sleep_for(50ms);  // let the server see the half request
  ASSERT_EQ(::kill(hello.pid(), SIGTERM), 0);

  EXPECT_TRUE(idle.closed_within(2s)) << "idle keep-alive connection not closed on shutdown";
  std::this_thread::sleep_for(200ms);
  busy.send("\r\n");  // the rest of the request, during the drain
  const http_response r = busy.expect_response(false, 3s);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(busy.closed_within(2s));
  EXPECT_EQ(hello.wait_exit(4s), 0) << hello.stderr_rest();
}

TEST(Hello, ConnectionStillBusyAfterTheDrainBoundIsCutAndTheExitIsStillZero) {
  hello_process hello({"--port", "0", "--threads", "1", "--drain-timeout", "300ms"});
  client stuck(hello.wait_listening());
  stuck.send("GET /never-finished HTTP/1.1\r\nHost: h\r\n");
  std::this_thread::sleep_for(50ms);
  const auto signalled = steady::now();
  ASSERT_EQ(::kill(hello.pid(), SIGTERM), 0);
  EXPECT_EQ(hello.wait_exit(3s), 0) << hello.stderr_rest();
  EXPECT_LT(steady::now() - signalled, 1500ms);
}

}  // namespace
}  // namespace coring::http::test
