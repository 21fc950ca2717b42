// What every HTTP app offers an operator, over real sockets against the built
// binaries: GET /metrics counting what the HTTP layer rejects before any handler and
// each method by name, the access log (pipelined lines in order), SIGHUP reopening it,
// and --version.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/apps/http_conn.hpp"
#include "tests/apps/server_process.hpp"

namespace coring::test {
namespace {

// The value of one sample line ("name{labels} value") in an exposition, or -1.
double sample(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ' ') {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return -1;
}

std::string scrape(std::uint16_t port, const std::string& path = "/metrics") {
  http_conn c(port);
  http_reply r = c.roundtrip(get_request(path));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4");
  return r.body;
}

// Sends `bytes` on a fresh connection and returns the status of the answer.
int status_of(std::uint16_t port, const std::string& bytes) {
  http_conn c(port);
  c.send(bytes);
  return c.read().status;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The log is written asynchronously, in batches: wait (bounded) for `count` lines.
std::vector<std::string> wait_for_lines(const std::string& path, std::size_t count) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<std::string> lines = read_lines(path);
  while (lines.size() < count && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    lines = read_lines(path);
  }
  return lines;
}

std::string scratch_file(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "coring_ops_" + std::to_string(::getpid()) + "_" + name;
  std::filesystem::remove(path);
  return path;
}

TEST(Metrics, CountRequestsTheHttpLayerRejectsBeforeAnyHandler) {
  server_process hello("hello", {"--port", "0", "--threads", "1", "--max-header-bytes", "1k"});
  const std::string big_header =
      "GET / HTTP/1.1\r\nhost: t\r\nx-big: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(status_of(hello.port(), big_header), 431);
  EXPECT_EQ(status_of(hello.port(), "GET / HTTP/1.1\r\nhost: t\r\ncontent-length: x\r\n\r\n"), 400);
  EXPECT_EQ(status_of(hello.port(), get_request("/")), 200);

  const std::string text = scrape(hello.port());
  EXPECT_EQ(sample(text, R"(hello_requests_total{method="GET",status="431"})"), 1) << text;
  EXPECT_EQ(sample(text, R"(hello_requests_total{method="GET",status="400"})"), 1) << text;
  EXPECT_EQ(sample(text, R"(hello_requests_total{method="GET",status="200"})"), 1) << text;
  EXPECT_EQ(sample(text, "hello_connections_total"), 4) << text;
  EXPECT_GT(sample(text, "hello_received_bytes_total"), 2000) << text;
  EXPECT_GT(sample(text, "hello_sent_bytes_total"), 88) << text;
  EXPECT_GT(sample(text, "hello_runtime_io_uring_enter_total"), 0) << text;
  // Only requests a handler ran for are timed (the scrape is still running).
  EXPECT_EQ(sample(text, "hello_request_duration_seconds_count"), 1) << text;

  // The server sees the clients' closes asynchronously: wait (bounded) for them.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  double open = -1;
  while ((open = sample(scrape(hello.port()), "hello_connections_open")) != 1 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(open, 1);  // the scrape's own
}

TEST(Metrics, KvCountsPutAsPutAndKeepsItsOwnGauges) {
  server_process kv("kv", {"--port", "0", "--threads", "2"});
  http_conn c(kv.port());
  EXPECT_EQ(c.roundtrip("PUT /k HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\n41").status, 200);
  EXPECT_EQ(c.roundtrip(get_request("/k")).body, "41");
  const std::string text = scrape(kv.port());
  EXPECT_EQ(sample(text, R"(kv_requests_total{method="PUT",status="200"})"), 1) << text;
  EXPECT_EQ(sample(text, R"(kv_requests_total{method="other",status="200"})"), -1) << text;
  EXPECT_EQ(sample(text, "kv_keys"), 1) << text;
  EXPECT_EQ(
      c.roundtrip("POST /metrics HTTP/1.1\r\nhost: t\r\ncontent-length: 0\r\n\r\n").header("allow"),
      "GET, HEAD");
}

TEST(Metrics, PathMovesOrTurnsOff) {
  server_process moved("hello", {"--port", "0", "--threads", "1", "--metrics-path", "/m"});
  EXPECT_EQ(sample(scrape(moved.port(), "/m"), "hello_connections_total"), 1);
  http_conn c(moved.port());
  EXPECT_EQ(c.roundtrip(get_request("/metrics")).body, "Hello world!");  // the app's now

  server_process off("hello", {"--port", "0", "--threads", "1", "--metrics-path", "off"});
  http_conn d(off.port());
  EXPECT_EQ(d.roundtrip(get_request("/metrics")).body, "Hello world!");
}

TEST(AccessLog, PipelinedRequestsAreLoggedInOrder) {
  const std::string log = scratch_file("pipelined.log");
  server_process hello("hello", {"--port", "0", "--threads", "1", "--access-log", log});
  http_conn c(hello.port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += get_request("/p" + std::to_string(i) + "?q=\"x\"");
  c.send(batch);
  for (int i = 0; i < 20; ++i) ASSERT_EQ(c.read().status, 200);

  const std::vector<std::string> lines = wait_for_lines(log, 20);
  ASSERT_EQ(lines.size(), 20u);
  const std::regex format(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 127\.0\.0\.1:\d+ "GET (\S+) HTTP/1\.1" 200 88 \d+$)");
  for (int i = 0; i < 20; ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i], m, format)) << lines[i];
    EXPECT_EQ(m[1].str(), "/p" + std::to_string(i) + "?q=\\x22x\\x22");  // quotes escaped
  }
  std::filesystem::remove(log);
}

TEST(AccessLog, RejectedRequestsAreLoggedToo) {
  const std::string log = scratch_file("rejected.log");
  server_process hello(
      "hello", {"--port", "0", "--threads", "1", "--access-log", log, "--max-uri-bytes", "64"});
  EXPECT_EQ(status_of(hello.port(), get_request("/" + std::string(100, 'u'))), 414);
  const std::vector<std::string> lines = wait_for_lines(log, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("GET - HTTP/1.1" 414 )"), std::string::npos) << lines[0];
  std::filesystem::remove(log);
}

TEST(AccessLog, SighupReopensTheFileAndTheProcessLivesOn) {
  const std::string log = scratch_file("rotated.log");
  // One thread: which file a line lands in then depends only on the order of events
  // (with more threads, each reopens when its own message arrives).
  server_process hello("hello", {"--port", "0", "--threads", "1", "--access-log", log});
  http_conn c(hello.port());
  ASSERT_EQ(c.roundtrip(get_request("/before")).status, 200);
  ASSERT_EQ(wait_for_lines(log, 1).size(), 1u);  // written out before the rotation

  std::filesystem::rename(log, log + ".1");  // what logrotate does
  ASSERT_EQ(::kill(hello.pid(), SIGHUP), 0);
  // The reopen goes through the ring: the new file appears once it is done.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!std::filesystem::exists(log) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(std::filesystem::exists(log));

  ASSERT_EQ(c.roundtrip(get_request("/after")).status, 200);  // same connection: alive
  http_conn d(hello.port());
  ASSERT_EQ(d.roundtrip(get_request("/after")).status, 200);  // and still accepting
  const std::vector<std::string> fresh = wait_for_lines(log, 2);
  ASSERT_EQ(fresh.size(), 2u);
  for (const std::string& line : fresh) EXPECT_NE(line.find("\"GET /after "), std::string::npos);
  const std::vector<std::string> old = read_lines(log + ".1");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_NE(old[0].find("\"GET /before "), std::string::npos);
  EXPECT_EQ(hello.stop(), 0);  // SIGTERM still shuts it down cleanly
  std::filesystem::remove(log);
  std::filesystem::remove(log + ".1");
}

TEST(AccessLog, AnUnwritableFileIsAClearErrorAtStart) {
  const std::string cmd = std::string(CORING_BIN_DIR) +
                          "/hello --port 0 --access-log /nonexistent-dir/x.log 2>/dev/null";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace coring::test
