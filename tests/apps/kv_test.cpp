// The kv app (seed 002) over real sockets: every endpoint and limit, chunked and
// pipelined requests, TTL expiry, cross-thread visibility and /metrics.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/apps/http_conn.hpp"
#include "tests/apps/server_process.hpp"
#include "tests/http/hostile_input.hpp"

namespace coring::test {
namespace {

namespace hostile = coring::test::hostile;

std::string post(std::string_view key, std::string_view value) {
  return "POST /" + std::string(key) +
         " HTTP/1.1\r\nhost: t\r\ncontent-length: " + std::to_string(value.size()) + "\r\n\r\n" +
         std::string(value);
}
std::string get(std::string_view key) { return get_request("/" + std::string(key)); }
std::string del(std::string_view key) {
  return "DELETE /" + std::string(key) + " HTTP/1.1\r\nhost: t\r\n\r\n";
}

std::size_t size_of(http_conn& c) { return std::stoul(c.roundtrip(get_request("/size")).body); }

// name{labels} → value, for the sample lines of a Prometheus exposition.
std::map<std::string, double> parse_metrics(const std::string& text) {
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})?) ([-+]?[0-9.eE+-]+|\+Inf|NaN)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::map<std::string, double> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, comment)) continue;
    EXPECT_TRUE(std::regex_match(line, m, sample)) << "not Prometheus text: '" << line << "'";
    if (!m.empty()) out[m[1].str()] = std::stod(m[4].str());
  }
  return out;
}

TEST(KvApp, GetPostDeleteSize) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  http_reply r = c.roundtrip(get("missing"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.header("content-length"), "0");

  r = c.roundtrip(post("a", "1234"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "1234");
  EXPECT_EQ(c.roundtrip(get("a")).body, "1234");
  EXPECT_EQ(c.roundtrip(post("a", "5")).body, "5");  // overwrite
  EXPECT_EQ(c.roundtrip(get("a")).body, "5");
  EXPECT_EQ(c.roundtrip(post("b", "")).status, 200);  // an empty value is a value
  EXPECT_EQ(size_of(c), 2u);

  r = c.roundtrip(del("a"));
  EXPECT_EQ(r.status, 204);
  EXPECT_FALSE(r.has_header("content-length"));  // RFC 9110 §8.6
  EXPECT_EQ(c.roundtrip(get("a")).body, "");
  EXPECT_EQ(c.roundtrip(del("a")).status, 204);  // idempotent
  EXPECT_EQ(size_of(c), 1u);

  http_reply head = c.roundtrip("HEAD /b HTTP/1.1\r\nhost: t\r\n\r\n", /*head=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(c.roundtrip(get("b")).status, 200);  // still in sync after HEAD
}

TEST(KvApp, KeyAndValueLimits) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  EXPECT_EQ(c.roundtrip(get_request("/")).status, 400);  // empty key
  EXPECT_EQ(c.roundtrip(post("", "x")).status, 400);
  const std::string key32(32, 'k');
  const std::string key33(33, 'k');
  EXPECT_EQ(c.roundtrip(post(key32, "v")).status, 200);
  EXPECT_EQ(c.roundtrip(get(key32)).body, "v");
  EXPECT_EQ(c.roundtrip(post(key33, "v")).status, 400);
  EXPECT_EQ(c.roundtrip(get(key33)).status, 400);
  const std::string value32(32, 'v');
  EXPECT_EQ(c.roundtrip(post("v", value32)).body, value32);
  EXPECT_EQ(c.roundtrip(post("v", value32 + "!")).status, 413);
  EXPECT_EQ(c.roundtrip(get("v")).body, value32);  // the rejected write changed nothing
}

TEST(KvApp, CustomLimitsFromFlags) {
  server_process kv("kv", {"--port", "0", "--threads", "1", "--max-key", "4", "--max-value", "8"});
  http_conn c(kv.port());
  EXPECT_EQ(c.roundtrip(post("abcd", "12345678")).status, 200);
  EXPECT_EQ(c.roundtrip(post("abcde", "1")).status, 400);
  EXPECT_EQ(c.roundtrip(post("abcd", "123456789")).status, 413);
}

TEST(KvApp, MaxKeysAnswers507WithoutEvicting) {
  server_process kv("kv", {"--port", "0", "--threads", "1", "--max-keys", "3"});
  http_conn c(kv.port());
  for (const char* k : {"a", "b", "c"}) EXPECT_EQ(c.roundtrip(post(k, "1")).status, 200);
  EXPECT_EQ(c.roundtrip(post("d", "1")).status, 507);
  EXPECT_EQ(c.roundtrip(post("a", "2")).status, 200);  // overwriting needs no new slot
  for (const char* k : {"a", "b", "c"}) EXPECT_NE(c.roundtrip(get(k)).body, "");
  EXPECT_EQ(c.roundtrip(del("b")).status, 204);
  EXPECT_EQ(c.roundtrip(post("d", "1")).status, 200);
  EXPECT_EQ(size_of(c), 3u);
}

TEST(KvApp, ReservedPathsAndOtherMethods) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  const http_reply size = c.roundtrip(post("size", "1"));
  EXPECT_EQ(size.status, 405);
  EXPECT_EQ(size.header("allow"), "GET, HEAD");
  EXPECT_EQ(c.roundtrip(post("metrics", "1")).status, 405);
  const http_reply patch =
      c.roundtrip("PATCH /a HTTP/1.1\r\nhost: t\r\ncontent-length: 1\r\n\r\nx");
  EXPECT_EQ(patch.status, 405);
  EXPECT_EQ(patch.header("allow"), "GET, HEAD, POST, PUT, DELETE");
  EXPECT_EQ(c.roundtrip("PUT /a HTTP/1.1\r\nhost: t\r\ncontent-length: 1\r\n\r\nx").status, 200);
  EXPECT_EQ(c.roundtrip(get("a")).body, "x");
}

TEST(KvApp, AbsoluteFormTargetIsRoutedByItsPath) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  const std::string authority = "http://127.0.0.1:" + std::to_string(kv.port());
  EXPECT_EQ(
      c.roundtrip("POST " + authority + "/abs HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\nhi")
          .status,
      200);
  EXPECT_EQ(c.roundtrip("GET " + authority + "/abs HTTP/1.1\r\nhost: t\r\n\r\n").body, "hi");
  EXPECT_EQ(c.roundtrip(get("abs")).body, "hi");  // the same key
}

TEST(KvApp, ChunkedPost) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  http_reply r = c.roundtrip(
      "POST /chunky HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "abcdefg");
  EXPECT_EQ(c.roundtrip(get("chunky")).body, "abcdefg");
  // Chunked, too long once de-chunked.
  r = c.roundtrip(
      "POST /chunky HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\n"
      "20\r\n" +
      std::string(32, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 413);
}

TEST(KvApp, PipelinedMixedRequestsKeepOrderAndReadYourWrites) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  std::string batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "p" + std::to_string(i % 7);
    if (i % 3 == 0) {
      batch += post(key, std::to_string(i));
      expected.push_back(std::to_string(i));
      // The read right after sees the write just before it on this connection.
      batch += get(key);
      expected.push_back(std::to_string(i));
    } else {
      batch += del(key);
      expected.push_back("<204>");
      batch += get(key);
      expected.push_back("");
    }
  }
  c.send(batch);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    http_reply r = c.read();
    if (expected[i] == "<204>") {
      EXPECT_EQ(r.status, 204) << i;
    } else {
      EXPECT_EQ(r.status, 200) << i;
      EXPECT_EQ(r.body, expected[i]) << i;
    }
  }
}

// The prefetch hint scans received bytes for request lines; a value whose lines look
// like requests (and keys beyond --max-key) must change nothing but what was asked.
TEST(KvApp, RequestLookalikesInBodiesOnlyStoreTheirValue) {
  server_process kv("kv", {"--port", "0", "--threads", "1"});
  http_conn c(kv.port());
  const std::string lookalike = "x\nGET /g\nPOST /p\nDELETE /d";  // 28 bytes
  std::string batch = post("d", "keep") + post("v", lookalike) + get("p") + get("g") +
                      get(std::string(40, 'k')) + get("d") + get("v");
  c.send(batch);
  EXPECT_EQ(c.read().body, "keep");
  EXPECT_EQ(c.read().body, lookalike);
  EXPECT_EQ(c.read().body, "");      // nothing stored at /p
  EXPECT_EQ(c.read().body, "");      // nor at /g
  EXPECT_EQ(c.read().status, 400);   // key too long, still answered
  EXPECT_EQ(c.read().body, "keep");  // /d not deleted
  EXPECT_EQ(c.read().body, lookalike);
  EXPECT_EQ(size_of(c), 2u);
}

TEST(KvApp, EntriesExpireAfterTtl) {
  server_process kv("kv", {"--port", "0", "--threads", "1", "--ttl", "300ms"});
  http_conn c(kv.port());
  EXPECT_EQ(c.roundtrip(post("t", "v")).body, "v");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(c.roundtrip(post("t", "w")).body, "w");  // rewriting restarts the TTL
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(c.roundtrip(get("t")).body, "w");  // 350 ms after the first write, 200 after the last
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(c.roundtrip(get("t")).body, "");  // lazy expiry on read
}

TEST(KvApp, SweepRemovesExpiredKeysWithoutReads) {
  server_process kv("kv", {"--port", "0", "--threads", "1", "--ttl", "300ms"});
  http_conn c(kv.port());
  for (int i = 0; i < 50; ++i)
    ASSERT_EQ(c.roundtrip(post("s" + std::to_string(i), "v")).status, 200);
  EXPECT_EQ(size_of(c), 50u);
  const auto start = clock::now();
  while (size_of(c) != 0 && elapsed_ms(start) < std::chrono::seconds(3)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(size_of(c), 0u);
  auto m = parse_metrics(c.roundtrip(get_request("/metrics")).body);
  EXPECT_EQ(m["kv_expired_keys_total"], 50);
}

TEST(KvApp, WritesAreVisibleFromEveryThread) {
  server_process kv("kv", {"--port", "0", "--threads", "2"});
  std::vector<http_conn> conns;
  for (int i = 0; i < 16; ++i) conns.emplace_back(kv.port());  // SO_REUSEPORT spreads them
  for (std::size_t writer = 0; writer < conns.size(); ++writer) {
    const std::string value = "w" + std::to_string(writer);
    ASSERT_EQ(conns[writer].roundtrip(post("shared", value)).body, value);
    for (std::size_t reader = 0; reader < conns.size(); ++reader) {
      ASSERT_EQ(conns[reader].roundtrip(get("shared")).body, value) << writer << " → " << reader;
    }
  }
  EXPECT_EQ(conns[3].roundtrip(del("shared")).status, 204);
  for (http_conn& c : conns) EXPECT_EQ(c.roundtrip(get("shared")).body, "");
}

TEST(KvApp, ConcurrentWritersOnTwoThreads) {
  server_process kv("kv", {"--port", "0", "--threads", "2", "--max-keys", "100000"});
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&kv, w] {
      http_conn c(kv.port());
      std::string batch;
      for (int i = 0; i < 500; ++i)
        batch += post("c" + std::to_string(w) + "-" + std::to_string(i), "v");
      c.send(batch);
      for (int i = 0; i < 500; ++i) ASSERT_EQ(c.read().status, 200);
    });
  }
  for (std::thread& t : writers) t.join();
  http_conn c(kv.port());
  EXPECT_EQ(size_of(c), 2000u);
}

TEST(KvApp, MetricsAreParseableAndMove) {
  server_process kv("kv", {"--port", "0", "--threads", "2"});
  http_conn c(kv.port());
  http_reply first = c.roundtrip(get_request("/metrics"));
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.header("content-type").rfind("text/plain", 0), 0u);
  auto before = parse_metrics(first.body);
  for (int i = 0; i < 10; ++i) c.roundtrip(post("m" + std::to_string(i), "1"));
  for (int i = 0; i < 5; ++i) c.roundtrip(get("m" + std::to_string(i)));
  c.roundtrip(post(std::string(40, 'x'), "1"));  // 400
  auto after = parse_metrics(c.roundtrip(get_request("/metrics")).body);

  const std::string post200 = R"(kv_requests_total{method="POST",status="200"})";
  const std::string get200 = R"(kv_requests_total{method="GET",status="200"})";
  const std::string post400 = R"(kv_requests_total{method="POST",status="400"})";
  EXPECT_EQ(after[post200] - before[post200], 10);
  EXPECT_EQ(after[get200] - before[get200], 6);  // 5 reads + the first /metrics
  EXPECT_EQ(after[post400] - before[post400], 1);
  EXPECT_EQ(after["kv_keys"], 10);
  EXPECT_EQ(after["kv_requests_in_flight"], 1);  // this scrape
  EXPECT_EQ(after["kv_expired_keys_total"], 0);
  const double count = after["kv_request_duration_seconds_count"];
  EXPECT_EQ(count - before["kv_request_duration_seconds_count"], 17);
  EXPECT_EQ(after[R"(kv_request_duration_seconds_bucket{le="+Inf"})"], count);
  EXPECT_GT(after["kv_request_duration_seconds_sum"], 0);
}

// Seeded random mutations of kv requests (tests/http/hostile_input.hpp) on two threads
// connections at once: every answer well-framed with an expected status, the store's
// request counter between the 2xx seen and all answers seen, and the process still
// healthy (answers, then exits 0 on SIGTERM).
TEST(KvApp, MutatedRequestsGetWellFramedAnswersAndTheServerSurvives) {
  server_process kv("kv", {"--port", "0", "--threads", "2", "--max-keys", "500"});
  const std::vector<std::string> templates = {
      get("key1"),
      post("key2", "value-2"),
      "POST /key3 HTTP/1.1\r\nHost: h\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
      del("key1"),
      get_request("/size"),
      "PUT /" + std::string(30, 'k') + " HTTP/1.1\r\nHost: h\r\ncontent-length: 32\r\n\r\n" +
          std::string(32, 'v'),
  };
  const std::set<int> allowed = {200, 204, 400, 404, 405, 408, 413, 414, 431, 501, 505, 507};
  http_conn c(kv.port());
  ASSERT_EQ(c.roundtrip(post("after", "0")).status, 200);  // its slot survives a full store
  const hostile::campaign_result result =
      hostile::run_campaign(kv.port(), templates, allowed, hostile::app_errors::may_keep_alive,
                            hostile::seed_or(7000), hostile::cases_or(3000), 2);
  for (const auto& f : result.failures) ADD_FAILURE() << f;

  EXPECT_EQ(c.roundtrip(post("after", "1")).status, 200);
  EXPECT_EQ(c.roundtrip(get("after")).body, "1");
  auto metrics = parse_metrics(c.roundtrip(get_request("/metrics")).body);
  const double handled = metrics["kv_request_duration_seconds_count"] - 3;  // minus c's three
  EXPECT_GE(handled, static_cast<double>(result.ok_responses));
  EXPECT_LE(handled, static_cast<double>(result.responses));
  EXPECT_GT(result.ok_responses, 1000u);
  EXPECT_EQ(kv.stop(), 0);
}

TEST(KvApp, HelpExitsZero) {
  const std::string cmd = std::string(CORING_BIN_DIR) + "/kv --help > /dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace coring::test
