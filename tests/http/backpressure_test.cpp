// A peer that stops reading: it must not starve the connections that share its thread
// (its receive pauses after max_queued_receives buffers, an empty buffer ring waits
// instead of spinning), and it is closed once a send has made no progress for
// send_timeout — while a slow but steady reader is served to the end.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

// `count` pipelined GETs of `path`, as one string.
std::string pipelined(std::string_view path, int count) {
  std::string requests;
  for (int i = 0; i < count; ++i) requests += get_request(path);
  return requests;
}

// A client that pipelines requests for large responses and never reads: its receive
// window closes, the server's sends stall. Runs until `stop`.
void flood_without_reading(std::uint16_t port, std::atomic<bool>* stop, std::size_t* sent) {
  const int fd = try_connect(port, /*nonblocking=*/true);
  if (fd < 0) return;
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  const std::string burst = pipelined("/big", 100);
  while (!stop->load()) {
    const ssize_t n = ::send(fd, burst.data(), burst.size(), MSG_NOSIGNAL);
    if (n > 0) {
      *sent += static_cast<std::size_t>(n);
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  ::close(fd);
}

class Backpressure : public testing::Test {
 protected:
  fn_handler handler_{[](request& req, response& res) {
    if (req.path == "/big") {
      res.body_static(big_body());
    } else if (req.path == "/huge") {
      res.body_static(huge_body());
    } else {
      res.body("ok");
    }
  }};
  static std::string_view big_body() {
    static const std::string body(16 * 1024, 'b');
    return body;
  }
  // More than the kernel buffers between server and client (a 4 MiB send buffer here),
  // so a send really waits for the reader.
  static std::string_view huge_body() {
    static const std::string body(1 << 20, 'h');
    return body;
  }
};

TEST_F(Backpressure, ClientsThatStopReadingDoNotStarveOthers) {
  // A small ring: eight stalled connections holding even 8 buffers each would empty it.
  test_server server(handler_, {}, runtime::options{.buffer_count = 64, .buffer_size = 4096});
  std::atomic<bool> stop{false};
  constexpr int flooders = 8;
  std::size_t flooded[flooders] = {};
  std::vector<std::thread> threads;
  for (int i = 0; i < flooders; ++i) {
    threads.emplace_back(flood_without_reading, server.port(), &stop, &flooded[i]);
  }
  std::this_thread::sleep_for(300ms);  // their connections are stalled by now
  try {
    for (int i = 0; i < 20; ++i) {
      client c(server.port());
      const http_response r = c.roundtrip(get_request("/probe"));  // throws after 10 s
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.body, "ok");
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "another connection was starved: " << e.what();
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  // TCP pushed back on the flooders instead of the server buffering their pipelines.
  for (std::size_t sent : flooded) EXPECT_LT(sent, std::size_t{64} << 20);
}

TEST_F(Backpressure, PeerThatStopsReadingIsClosedAfterTheSendTimeout) {
  server_limits limits;
  limits.send_timeout = 300ms;
  test_server server(handler_, limits);
  client c(server.port());
  c.send(pipelined("/huge", 30));       // 30 MiB of answers
  std::this_thread::sleep_for(1500ms);  // read nothing: the server's send stalls
  // What was buffered before the stall can still be read; then the connection ends.
  int responses = 0;
  try {
    while (c.read_response(false, 5s)) ++responses;
  } catch (const client::timeout_error&) {
    FAIL() << "the stalled connection was not closed (" << responses << " responses read)";
  } catch (const std::runtime_error&) {
    // EOF or reset in the middle of a response: closed, as expected
  }
  EXPECT_LT(responses, 30);
  server.stop();
  EXPECT_GE(server.stats().timeouts, 1u);
}

TEST_F(Backpressure, SlowButSteadyReaderIsServedToTheEnd) {
  server_limits limits;
  // The kernel wakes a stalled sender once about half its send buffer (up to 4 MiB here)
  // has drained: at this reader's pace (~25 MB/s) every ~0.1 s, a tenth of the send
  // timeout — a margin that survives a loaded machine slowing the reader several times.
  limits.send_timeout = 1s;
  test_server server(handler_, limits);
  client c(server.port());
  constexpr int responses = 48;
  c.send(pipelined("/huge", responses));  // 48 MiB of answers
  // The whole takes longer than the send timeout, but each send makes progress within it.
  const auto started = steady::now();
  std::size_t received = 0;
  std::vector<char> chunk(256 * 1024);
  while (received < responses * (huge_body().size() + 40)) {
    std::this_thread::sleep_for(10ms);
    const ssize_t n = ::recv(c.fd(), chunk.data(), chunk.size(), 0);
    if (n <= 0) break;
    received += static_cast<std::size_t>(n);
  }
  EXPECT_GT(received, responses * huge_body().size()) << "closed after " << received << " bytes";
  EXPECT_GT(steady::now() - started, 1500ms)
      << "the reader was not slower than the send timeout: the test proves nothing";
  server.stop();
  EXPECT_EQ(server.stats().timeouts, 0u);
}

}  // namespace
}  // namespace coring::http::test
