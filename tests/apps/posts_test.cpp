// The posts app as a child process over real sockets: endpoints, paging, HEAD,
// validation over HTTP and under seeded random mutations, read-your-writes across
// threads, paging while posts are added, group commit, and a full disk.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/apps/http_conn.hpp"
#include "tests/apps/posts_support.hpp"
#include "tests/apps/server_process.hpp"
#include "tests/http/hostile_input.hpp"

namespace coring::test {
namespace {

namespace hostile = coring::test::hostile;
using posts_support::id_of;
using posts_support::json_request;
using posts_support::post_request;
using posts_support::scratch_dir;

std::uint64_t stat_of(http_conn& c, std::string_view name) {
  const http_reply r = c.roundtrip(get_request("/stats"));
  const std::string key = "\"" + std::string(name) + "\":";
  const std::size_t at = r.body.find(key);
  if (at == std::string::npos) throw std::runtime_error("no " + key + " in " + r.body);
  return std::stoull(r.body.substr(at + key.size()));
}

// The ids of a JSON array of posts, in order.
std::vector<std::uint64_t> ids_in(std::string_view page) {
  std::vector<std::uint64_t> ids;
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  if (parser.parse(page).get(array) != simdjson::SUCCESS) {
    throw std::runtime_error("not a JSON array: " + std::string(page.substr(0, 200)));
  }
  for (simdjson::dom::element e : array) ids.push_back(e["id"].get_uint64().value());
  return ids;
}

TEST(PostsApp, DefaultPageIsTheNewest50SeededPostsOfAbout38KB) {
  scratch_dir dir;
  server_process posts("posts", {"--port", "0", "--threads", "2", "--data", dir.path()});
  http_conn c(posts.port());
  const http_reply page = c.roundtrip(get_request("/posts"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "application/json");
  EXPECT_GE(page.body.size(), 36'000u);
  EXPECT_LE(page.body.size(), 40'000u);
  const std::vector<std::uint64_t> ids = ids_in(page.body);
  ASSERT_EQ(ids.size(), 50u);
  EXPECT_EQ(ids.front(), 1000u);
  EXPECT_EQ(ids.back(), 951u);
  const http_reply head = c.roundtrip("HEAD /posts HTTP/1.1\r\nhost: t\r\n\r\n", true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), std::to_string(page.body.size()));
  const http_reply one = c.roundtrip(get_request("/posts/7"));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(id_of(one.body), 7u);
  EXPECT_NE(page.body.find(c.roundtrip(get_request("/posts/990")).body), std::string::npos);
  EXPECT_EQ(c.roundtrip("HEAD /posts/7 HTTP/1.1\r\nhost: t\r\n\r\n", true).header("content-length"),
            std::to_string(one.body.size()));
  for (const char* missing : {"/posts/1001", "/posts/0", "/posts/x", "/posts/-1"}) {
    const http_reply r = c.roundtrip(get_request(missing));
    EXPECT_EQ(r.status, 404) << missing;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  }
}

TEST(PostsApp, SeededLogIsTheSameBytesOnEveryStart) {
  scratch_dir a, b;
  { server_process p("posts", {"--port", "0", "--threads", "1", "--data", a.path()}); }
  { server_process p("posts", {"--port", "0", "--threads", "1", "--data", b.path()}); }
  const std::string log = posts_support::read_file(a.log());
  EXPECT_GT(log.size(), 500'000u);
  EXPECT_EQ(log, posts_support::read_file(b.log()));
}

TEST(PostsApp, PagingWithLimitAndBefore) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "1", "--data", dir.path(), "--seed-posts", "30"});
  http_conn c(posts.port());
  EXPECT_EQ(ids_in(c.roundtrip(get_request("/posts?limit=3")).body),
            (std::vector<std::uint64_t>{30, 29, 28}));
  EXPECT_EQ(ids_in(c.roundtrip(get_request("/posts?limit=2&before=10")).body),
            (std::vector<std::uint64_t>{9, 8}));
  EXPECT_EQ(ids_in(c.roundtrip(get_request("/posts?before=3&limit=200")).body),
            (std::vector<std::uint64_t>{2, 1}));
  EXPECT_EQ(c.roundtrip(get_request("/posts?before=1")).body, "[]");
  EXPECT_EQ(ids_in(c.roundtrip(get_request("/posts?before=99999&limit=1")).body),
            (std::vector<std::uint64_t>{30}));
  for (const char* bad :
       {"/posts?limit=0", "/posts?limit=201", "/posts?limit=x", "/posts?limit=", "/posts?limit=-1",
        "/posts?before=0", "/posts?before=1e3", "/posts?limit=99999999999999999999999"}) {
    const http_reply r = c.roundtrip(get_request(bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.header("content-type"), "application/json") << bad;
    EXPECT_NE(r.body.find(std::string_view(bad).find("limit") != std::string_view::npos ? "limit"
                                                                                        : "before"),
              std::string::npos)
        << r.body;
  }
}

TEST(PostsApp, PostIsStoredWithIdLocationAndEscapedJson) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "5"});
  http_conn c(posts.port());
  const std::string body = R"({"title":"Q \"x\" \\ é","author":"a\u0001b","body":"line\nnext"})";
  const http_reply created = c.roundtrip(json_request("POST /posts", body));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.header("location"), "/posts/6");
  EXPECT_EQ(id_of(created.body), 6u);
  EXPECT_NE(created.body.find(R"("title":"Q \"x\" \\ é","author":"a\u0001b","body":"line\nnext")"),
            std::string::npos)
      << created.body;
  EXPECT_EQ(c.roundtrip(get_request("/posts/6")).body, created.body);
  EXPECT_EQ(c.roundtrip(get_request("/posts?limit=1")).body, "[" + created.body + "]");
  EXPECT_EQ(ids_in(c.roundtrip(get_request("/posts")).body).front(), 6u);
}

TEST(PostsApp, InvalidPostsGetJsonErrorsAndStoreNothing) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "5"});
  http_conn c(posts.port());
  const std::string good = R"({"title":"t","author":"a","body":"b"})";
  struct bad_case {
    std::string request;
    int status;
    const char* names;
  };
  const bad_case cases[] = {
      {json_request("POST /posts", good, ""), 415, "Content-Type"},
      {json_request("POST /posts", good, "text/plain"), 415, "Content-Type"},
      {json_request("POST /posts", std::string(20'000, ' ')), 413, "bytes"},
      {json_request("POST /posts", "{"), 400, "JSON"},
      {json_request("POST /posts", "{\"title\":\"\xc3\x28\",\"author\":\"a\",\"body\":\"\"}"), 400,
       "UTF-8"},
      {json_request("POST /posts", "[]"), 400, "object"},
      {json_request("POST /posts", R"({"author":"a","body":"b"})"), 400, "title"},
      {json_request("POST /posts", R"({"title":"t","author":5,"body":"b"})"), 400, "author"},
      {json_request("POST /posts", R"({"title":"t","author":"a","body":""})" + std::string(1, 'x')),
       400, "JSON"},
      {json_request("POST /posts",
                    R"({"title":")" + std::string(201, 't') + R"(","author":"a","body":""})"),
       400, "title"},
  };
  for (const bad_case& bc : cases) {
    const http_reply r = c.roundtrip(bc.request);
    EXPECT_EQ(r.status, bc.status) << bc.request.substr(0, 120);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_NE(r.body.find(bc.names), std::string::npos) << r.body;
    EXPECT_EQ(r.body.rfind("{\"error\":", 0), 0u) << r.body;
  }
  EXPECT_EQ(stat_of(c, "newest_id"), 5u);
  EXPECT_EQ(c.roundtrip(json_request("POST /posts", good)).status, 201);
}

// Seeded random mutations of valid requests (tests/http/hostile_input.hpp): every
// answer well-framed, the server alive, and every stored post still valid.
TEST(PostsApp, MutatedRequestsGetWellFramedAnswersAndStoreOnlyValidPosts) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "3"});
  const std::vector<std::string> templates = {
      post_request("title", "author", "body text"),
      json_request("POST /posts", R"({"title":"\u00e9\n","author":"x","body":"","extra":[1,2]})"),
      get_request("/posts?limit=2&before=3"),
      get_request("/posts/2"),
  };
  const std::set<int> allowed = {200, 201, 400, 404, 405, 408, 411,
                                 413, 414, 415, 417, 431, 501, 505};
  const hostile::campaign_result result =
      hostile::run_campaign(posts.port(), templates, allowed, hostile::app_errors::may_keep_alive,
                            hostile::seed_or(1200), hostile::cases_or(1500), 2);
  for (const auto& f : result.failures) ADD_FAILURE() << f;

  http_conn c(posts.port());
  std::uint64_t newest = stat_of(c, "newest_id");
  simdjson::dom::parser parser;
  for (std::uint64_t id = 1; id <= newest; ++id) {
    const http_reply r = c.roundtrip(get_request("/posts/" + std::to_string(id)));
    ASSERT_EQ(r.status, 200);
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(r.body).get(e), simdjson::SUCCESS) << r.body;
    std::string_view title, author, body;
    ASSERT_EQ(e["title"].get(title), simdjson::SUCCESS) << r.body;
    ASSERT_EQ(e["author"].get(author), simdjson::SUCCESS) << r.body;
    ASSERT_EQ(e["body"].get(body), simdjson::SUCCESS) << r.body;
    EXPECT_TRUE(!title.empty() && title.size() <= 200 && !author.empty() && author.size() <= 100 &&
                body.size() <= 10'000)
        << r.body;
  }
  EXPECT_EQ(c.roundtrip(post_request("after", "x", "y")).status, 201);
  EXPECT_EQ(posts.stop(), 0);
}

// Each POST's 201 is followed at once by GETs on 8 other connections (spread over both
// threads by SO_REUSEPORT): every one must already see the post.
TEST(PostsApp, ReadYourWritesAcrossThreads) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "1"});
  http_conn writer(posts.port());
  std::vector<http_conn> readers;
  for (int i = 0; i < 8; ++i) readers.emplace_back(posts.port());
  for (int i = 0; i < 100; ++i) {
    const http_reply created = writer.roundtrip(post_request("t" + std::to_string(i), "a", "b"));
    ASSERT_EQ(created.status, 201);
    const std::string path = created.header("location");
    for (http_conn& r : readers) {
      const http_reply seen = r.roundtrip(get_request(path));
      ASSERT_EQ(seen.status, 200) << path;
      ASSERT_EQ(seen.body, created.body);
      ASSERT_EQ(id_of(r.roundtrip(get_request("/posts?limit=1")).body), id_of(created.body));
    }
  }
}

// While 4 writers add posts, readers page backwards from the newest with before=: the
// ids they see are exactly newest, newest-1, ..., 1 — nothing skipped or repeated.
TEST(PostsApp, PagesNeverSkipOrRepeatWhilePostsAreAdded) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "200"});
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      http_conn c(posts.port());
      for (int i = 0; !done.load(); ++i) {
        if (c.roundtrip(post_request("w" + std::to_string(w), "a", std::to_string(i))).status !=
            201) {
          ADD_FAILURE() << "POST failed";
          return;
        }
      }
    });
  }
  http_conn reader(posts.port());
  for (int walk = 0; walk < 5; ++walk) {
    std::vector<std::uint64_t> seen = ids_in(reader.roundtrip(get_request("/posts?limit=7")).body);
    while (seen.back() > 1) {
      const std::string next = "/posts?limit=7&before=" + std::to_string(seen.back());
      const std::vector<std::uint64_t> page = ids_in(reader.roundtrip(get_request(next)).body);
      ASSERT_FALSE(page.empty());
      seen.insert(seen.end(), page.begin(), page.end());
    }
    for (std::size_t i = 1; i < seen.size(); ++i) ASSERT_EQ(seen[i], seen[i - 1] - 1);
    EXPECT_GE(seen.front(), 200u);
  }
  done = true;
  for (std::thread& t : writers) t.join();
}

// The median of `n` sequential 1 KB append + fdatasync in `dir`: this disk's floor.
std::chrono::microseconds fdatasync_floor(const std::string& dir, int n) {
  const std::string path = dir + "/floor";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("open floor file");
  const std::string block(1024, 'x');
  std::vector<std::chrono::microseconds> times;
  for (int i = 0; i < n; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (::write(fd, block.data(), block.size()) != 1024 || ::fdatasync(fd) != 0) break;
    times.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start));
  }
  ::close(fd);
  std::sort(times.begin(), times.end());
  return times.empty() ? std::chrono::microseconds(0) : times[times.size() / 2];
}

// 64 concurrent POSTers: posts per sync far above 1. Then a lone POST is answered
// about as fast as one fdatasync of this disk (no waiting for a batch to fill).
TEST(PostsApp, GroupCommitBatchesConcurrentPostsAndALonePostIsPrompt) {
  scratch_dir dir;
  server_process posts(
      "posts", {"--port", "0", "--threads", "2", "--data", dir.path(), "--seed-posts", "1"});
  constexpr int posters = 64, each = 20;
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < posters; ++t) {
    threads.emplace_back([&, t] {
      http_conn c(posts.port());
      for (int i = 0; i < each; ++i) {
        if (c.roundtrip(post_request("p" + std::to_string(t), "a", "b")).status == 201) ++created;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  http_conn c(posts.port());
  const std::uint64_t acknowledged = stat_of(c, "posts");
  const std::uint64_t syncs = stat_of(c, "syncs");
  std::printf("group commit: %llu posts in %llu syncs\n",
              static_cast<unsigned long long>(acknowledged),
              static_cast<unsigned long long>(syncs));
  EXPECT_EQ(created.load(), posters * each);
  EXPECT_EQ(acknowledged, static_cast<std::uint64_t>(posters * each));
  EXPECT_LT(syncs * 4, acknowledged) << "fewer than 4 posts per sync with 64 concurrent POSTers";

  std::vector<std::chrono::microseconds> lone;
  for (int i = 0; i < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(c.roundtrip(post_request("lone", "a", "b")).status, 201);
    lone.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start));
  }
  std::sort(lone.begin(), lone.end());
  const auto floor = fdatasync_floor(dir.path(), 9);
  std::printf("lone POST median %lld us, fdatasync floor %lld us\n",
              static_cast<long long>(lone[4].count()), static_cast<long long>(floor.count()));
  EXPECT_LT(lone[4], 2 * floor + std::chrono::milliseconds(5));
}

// RLIMIT_FSIZE stands in for a full disk: POSTs that cannot be written get 503, reads
// go on, and after a restart exactly the acknowledged posts are there.
TEST(PostsApp, FullDiskAnswers503KeepsServingReadsAndLosesNothingAcknowledged) {
  scratch_dir dir;
  { server_process seed("posts", {"--port", "0", "--data", dir.path(), "--seed-posts", "10"}); }
  const std::size_t seeded = posts_support::read_file(dir.log()).size();
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit small = saved;
  small.rlim_cur = seeded + 3000;  // room for a few posts
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::vector<std::string> acknowledged;
  int unavailable = 0;
  {
    server_process posts("posts", {"--port", "0", "--threads", "2", "--data", dir.path()});
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    http_conn c(posts.port());
    for (int i = 0; i < 40; ++i) {
      const http_reply r =
          c.roundtrip(post_request("t" + std::to_string(i), "a", std::string(200, 'b')));
      if (r.status == 201) acknowledged.push_back(r.body);
      if (r.status == 503) ++unavailable;
      ASSERT_TRUE(r.status == 201 || r.status == 503) << r.status;
      ASSERT_EQ(c.roundtrip(get_request("/posts")).status, 200);
    }
    EXPECT_GT(stat_of(c, "write_errors"), 0u);
  }
  EXPECT_GT(acknowledged.size(), 3u);
  EXPECT_GT(unavailable, 20);
  server_process again("posts", {"--port", "0", "--threads", "1", "--data", dir.path()});
  http_conn c(again.port());
  EXPECT_EQ(stat_of(c, "newest_id"), 10 + acknowledged.size());
  for (const std::string& body : acknowledged) {
    EXPECT_EQ(c.roundtrip(get_request("/posts/" + std::to_string(id_of(body)))).body, body);
  }
}

}  // namespace
}  // namespace coring::test
