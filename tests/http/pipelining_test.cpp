// Pipelining and fragmentation over a real connection: many requests in one write
// come back as many responses in order; a request sent one byte per segment is
// reassembled and answered once.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "test_client.hpp"
#include "test_server.hpp"

namespace coring::http::test {
namespace {

TEST(Pipelining, ThousandRequestsInOneWriteGetThousandOrderedResponses) {
  fn_handler h = echo_path_handler();
  test_server srv(h);
  client c(srv.port());
  constexpr int count = 1000;
  std::string batch;
  for (int i = 0; i < count; ++i) batch += get_request("/p" + std::to_string(i));
  // Write from another thread: the server answers while we are still writing, and we
  // must read meanwhile or both sides could block on full socket buffers.
  std::thread writer([&c, &batch] { c.send(batch); });
  int received = 0;
  for (; received < count; ++received) {
    auto r = c.read_response();
    if (!r) break;
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body, "/p" + std::to_string(received)) << "response out of order";
  }
  writer.join();
  EXPECT_EQ(received, count);
  // The connection stays usable after the batch.
  EXPECT_EQ(c.roundtrip(get_request("/after")).body, "/after");
}

TEST(Pipelining, PipelinedRequestsWithBodiesKeepTheirBoundaries) {
  fn_handler h([](request& req, response& res) {
    res.body(std::string(req.path) + ":" + std::string(req.body));
  });
  test_server srv(h);
  client c(srv.port());
  std::string batch;
  for (int i = 0; i < 50; ++i) {
    const std::string body(static_cast<std::size_t>(i), static_cast<char>('a' + i % 26));
    batch += "POST /b" + std::to_string(i) +
             " HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
             body;
  }
  c.send(batch);
  for (int i = 0; i < 50; ++i) {
    const std::string body(static_cast<std::size_t>(i), static_cast<char>('a' + i % 26));
    EXPECT_EQ(c.expect_response().body, "/b" + std::to_string(i) + ":" + body);
  }
}

TEST(Pipelining, RequestSentOneBytePerSegmentGetsOneCorrectResponse) {
  fn_handler h([](request& req, response& res) {
    res.body(std::string(req.path) + "|" + std::string(req.header("x-tag")) + "|" +
             std::string(req.body));
  });
  test_server srv(h);
  client c(srv.port());
  const std::string request =
      "POST /slow/path HTTP/1.1\r\nHost: h\r\nX-Tag: byte-by-byte\r\nContent-Length: "
      "5\r\n\r\nabcde";
  for (char byte : request) {
    c.send(std::string_view(&byte, 1));
    std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  const http_response r = c.expect_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "/slow/path|byte-by-byte|abcde");
  // Exactly one response: nothing else arrives, and the connection is still open.
  EXPECT_FALSE(c.closed_within(200ms));
  EXPECT_EQ(c.roundtrip(get_request("/next")).body, "/next||");
}

TEST(Pipelining, ChunkedRequestSplitAcrossSegmentsIsDechunked) {
  fn_handler h([](request& req, response& res) { res.body(req.body); });
  test_server srv(h);
  client c(srv.port());
  c.send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
  std::this_thread::sleep_for(20ms);
  c.send("lo\r\n6\r\n world\r\n");
  std::this_thread::sleep_for(20ms);
  c.send("0\r\n\r\n");
  EXPECT_EQ(c.expect_response().body, "hello world");
}

// Records what on_receive saw; checks each request was seen there before it is handled.
class receive_hint_recorder final : public handler {
 public:
  void on_receive(std::string_view bytes) noexcept override { seen.append(bytes); }
  bool handle(request& req, response& res) override {
    if (seen.find(std::string(req.method_name) + " " + std::string(req.target)) ==
        std::string::npos) {
      ++handled_before_seen;
    }
    res.body(req.path);
    return true;
  }
  std::string seen;  // read by the test only after the server thread is joined
  int handled_before_seen = 0;
};

TEST(Pipelining, OnReceiveSeesEveryByteBeforeItsRequestsAreHandled) {
  receive_hint_recorder h;
  test_server srv(h);
  std::string sent;
  {
    client c(srv.port());
    std::string batch;
    for (int i = 0; i < 100; ++i) batch += get_request("/h" + std::to_string(i));
    c.send(batch);
    sent += batch;
    for (int i = 0; i < 100; ++i) ASSERT_EQ(c.expect_response().body, "/h" + std::to_string(i));
    // A request split across two receives: the hint gets each piece as it arrives.
    const std::string split = get_request("/split");
    c.send(split.substr(0, 7));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.send(split.substr(7));
    sent += split;
    EXPECT_EQ(c.expect_response().body, "/split");
  }
  srv.stop();
  EXPECT_EQ(h.seen, sent);
  EXPECT_EQ(h.handled_before_seen, 0);
}

}  // namespace
}  // namespace coring::http::test
