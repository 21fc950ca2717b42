// Hot-path rule 2: no heap allocation per request in steady state.
//
// This binary replaces the global operator new/delete with counting versions, which
// is why it is its own executable (coring_alloc_tests). Only allocations made on the
// server thread while the client has switched measuring on are counted; for the first
// few, a backtrace is kept and printed on failure (resolve with addr2line -e <binary>).
//
// The server runs on the test thread's runtime; a client thread drives N keep-alive
// connections: warm-up (pools, buffers and vectors reach their steady size), then
// measuring on, 10,000 requests, measuring off, then stop. The zero claims use one
// busy connection at a time, so "steady state" is reached deterministically; with
// concurrency a new peak of busy connections may still allocate (see the last test).

#include <execinfo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../http/test_client.hpp"
#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/when_all.hpp"
#include "http/access_log.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "post_log.hpp"
#include "routes.hpp"
#include "seed.hpp"
#include "store.hpp"

namespace {

std::atomic<bool> measuring{false};
std::atomic<std::size_t> counted{0};
thread_local bool count_this_thread = false;
thread_local bool in_hook = false;  // backtrace() may allocate: do not recurse

constexpr int kept_traces = 8;
constexpr int trace_depth = 24;
void* traces[kept_traces][trace_depth];
int trace_sizes[kept_traces];
std::size_t trace_bytes[kept_traces];

void note_allocation(std::size_t size) noexcept {
  if (!count_this_thread || in_hook || !measuring.load(std::memory_order_relaxed)) return;
  in_hook = true;
  const std::size_t n = counted.fetch_add(1, std::memory_order_relaxed);
  if (n < kept_traces) {
    trace_sizes[n] = backtrace(traces[n], trace_depth);
    trace_bytes[n] = size;
  }
  in_hook = false;
}

void* counted_alloc(std::size_t size) {
  note_allocation(size);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* counted_aligned_alloc(std::size_t size, std::align_val_t align) {
  note_allocation(size);
  const auto a = static_cast<std::size_t>(align);
  if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t size) { return counted_alloc(size); }
void* operator new[](std::size_t size) { return counted_alloc(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  note_allocation(size);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  note_allocation(size);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new(std::size_t size, std::align_val_t a) { return counted_aligned_alloc(size, a); }
void* operator new[](std::size_t size, std::align_val_t a) {
  return counted_aligned_alloc(size, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace coring::http::test {
namespace {

class hello_handler final : public handler {
 public:
  explicit hello_handler(bool allocate) : allocate_(allocate) {}
  bool handle(request&, response& res) override {
    if (allocate_) {  // the control case: a handler that allocates must be caught
      std::string copy(64, 'x');
      res.body(copy.substr(0, 0) + "Hello world!");
      return true;
    }
    res.body_static("Hello world!");
    return true;
  }

 private:
  bool allocate_;
};

// The posts app's routes over its seeded store (GET only: the log is never written).
struct posts_fixture {
  ::posts::post_store store{50};
  ::posts::post_log log{-1, 0, 1001, store, "unused"};
  ::posts::app app{store, log, nullptr, {}};
  ::posts::thread_routes routes;
  posts_fixture() {
    store.append(::posts::seed_posts(1000));
    ::posts::add_routes(app, routes);
  }
};

task<void> stop_when_readable(int fd, server* srv) {
  co_await poll(descriptor{fd, false}, POLLIN);
  srv->stop();
}

task<void> serve_until_stopped(server* srv, listener* l, int stop_fd) {
  co_await when_all(srv->serve(*l), stop_when_readable(stop_fd, srv));
}

task<void> serve_then_close(server* srv, listener* l, int stop_fd, access_log* log) {
  co_await serve_until_stopped(srv, l, stop_fd);
  log->close();
}

// The server with metrics and an access log on, and the log's writer beside it.
task<void> serve_observed(server* srv, listener* l, int stop_fd, access_log* log) {
  co_await when_all(serve_then_close(srv, l, stop_fd, log), log->run());
}

// Round-robin over the connections, `depth` pipelined requests on each. Sequential:
// one connection at a time (send, then read its answers), so the server never has
// more than one connection busy and its high-water marks are fixed after warm-up.
// Concurrent: send on every connection, then read them all.
void drive(std::vector<client>& conns, int rounds, int depth, bool concurrent,
           std::string_view path, std::string_view expected_body, std::string& failure) {
  std::string batch;
  for (int i = 0; i < depth; ++i) batch += get_request(path);
  auto read_answers = [&](client& c) {
    for (int i = 0; i < depth; ++i) {
      const http_response r = c.expect_response();
      if (r.status != 200 || r.body != expected_body) failure = "bad response: " + r.raw;
    }
  };
  for (int round = 0; round < rounds && failure.empty(); ++round) {
    if (concurrent) {
      for (client& c : conns) c.send(batch);
      for (client& c : conns) read_answers(c);
    } else {
      for (client& c : conns) {
        c.send(batch);
        read_answers(c);
      }
    }
  }
}

void print_traces(std::size_t n) {
  for (std::size_t i = 0; i < n && i < kept_traces; ++i) {
    std::fprintf(stderr, "--- allocation %zu (%zu bytes) on the server thread:\n", i,
                 trace_bytes[i]);
    backtrace_symbols_fd(traces[i], trace_sizes[i], STDERR_FILENO);
  }
}

struct zero_alloc_case {
  int connections;
  int depth;  // requests pipelined per connection per round
  bool concurrent = false;
  bool allocating_handler = false;
  bool observed = false;     // metrics and an access log on
  bool posts_page = false;   // GET /posts on the posts app instead of hello
  bool posts_paged = false;  // ... with ?limit=20&before=500 (formatted per request)
};

// What GET /posts?limit=20&before=500 answers over the seeded posts: 499 down to 480.
std::string seeded_page_499_to_480() {
  const std::vector<::posts::post> seeded = ::posts::seed_posts(1000);
  std::string page = "[";
  for (std::size_t id = 499; id >= 480; --id) {
    if (id != 499) page += ',';
    page += ::posts::to_json(seeded[id - 1]);
  }
  return page + "]";
}

constexpr int measured_requests = 10'000;

// Runs the case; returns the allocations counted on the server thread.
std::size_t count_allocations(zero_alloc_case c) {
  hello_handler h(c.allocating_handler);
  std::optional<posts_fixture> posts;
  if (c.posts_page) posts.emplace();
  const std::string path = !c.posts_page   ? "/"
                           : c.posts_paged ? "/posts?limit=20&before=500"
                                           : "/posts";
  const std::string expected = !c.posts_page   ? "Hello world!"
                               : c.posts_paged ? seeded_page_499_to_480()
                                               : *posts->store.default_page();
  runtime rt;
  listener l(socket_address::parse("127.0.0.1", 0));
  server srv(c.posts_page ? static_cast<handler&>(posts->routes.router) : h, server_limits{});
  int stop_pipe[2];
  if (::pipe2(stop_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");

  std::string failure;
  const std::uint16_t port = l.port();
  counted = 0;
  std::thread client_thread([&failure, c, port, &stop_pipe, &path, &expected] {
    try {
      std::vector<client> conns;
      for (int i = 0; i < c.connections; ++i) conns.emplace_back(port);
      drive(conns, 300, c.depth, c.concurrent, path, expected, failure);  // warm-up
      measuring = true;
      drive(conns, measured_requests / (c.connections * c.depth), c.depth, c.concurrent, path,
            expected, failure);
      measuring = false;
    } catch (const std::exception& e) {
      measuring = false;
      failure = e.what();
    }
    const char byte = 1;
    (void)!::write(stop_pipe[1], &byte, 1);
  });

  metrics counters("t", 1);
  const std::string log_path =
      ::testing::TempDir() + "coring_zero_alloc_access." + std::to_string(::getpid()) + ".log";
  access_log log(log_path);
  if (c.observed) srv.observe(&counters.thread(0), &log);
  count_this_thread = true;  // this thread runs the server
  if (c.observed) {
    rt.block_on(serve_observed(&srv, &l, stop_pipe[0], &log));
  } else {
    rt.block_on(serve_until_stopped(&srv, &l, stop_pipe[0]));
  }
  count_this_thread = false;
  client_thread.join();
  if (c.observed) {  // the hooks really ran: one line per request
    std::FILE* f = std::fopen(log_path.c_str(), "r");
    std::size_t lines = 0;
    for (int ch; f != nullptr && (ch = std::fgetc(f)) != EOF;) lines += ch == '\n';
    if (f != nullptr) std::fclose(f);
    EXPECT_GE(lines, srv.stats().requests);
  }
  ::unlink(log_path.c_str());
  ::close(stop_pipe[0]);
  ::close(stop_pipe[1]);

  EXPECT_EQ(failure, "");
  EXPECT_GE(srv.stats().requests, static_cast<std::uint64_t>(measured_requests));
  return counted.load();
}

void expect_no_allocations(zero_alloc_case c) {
  const std::size_t n = count_allocations(c);
  if (n != 0) print_traces(n);
  EXPECT_EQ(n, 0u) << "heap allocations on the server thread during " << measured_requests
                   << " steady-state requests (backtraces above)";
}

bool under_asan() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

TEST(ZeroAlloc, KeepAliveRequestsAllocateNothingOnTheServerThread) {
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  expect_no_allocations({.connections = 16, .depth = 1});
}

TEST(ZeroAlloc, PipelinedRequestsAllocateNothingOnTheServerThread) {
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  expect_no_allocations({.connections = 8, .depth = 16});
}

TEST(ZeroAlloc, MetricsAndTheAccessLogAllocateNothingPerRequest) {
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  expect_no_allocations({.connections = 8, .depth = 16, .observed = true});
}

TEST(ZeroAlloc, PostsDefaultPageAllocatesNothingOnTheServerThread) {
  // GET /posts: the shared page is referenced (and kept alive by the connection), not
  // copied; plain and pipelined.
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  expect_no_allocations({.connections = 16, .depth = 1, .posts_page = true});
  expect_no_allocations({.connections = 4, .depth = 8, .posts_page = true});
  // Any other page is formatted straight into the output buffer.
  expect_no_allocations({.connections = 8, .depth = 2, .posts_page = true, .posts_paged = true});
}

TEST(ZeroAlloc, ConcurrentConnectionsAllocateOnlyForNewHighWaterMarks) {
  // With several connections busy at once the server may still allocate when more of
  // them are busy together than ever before (another workspace, another frame in the
  // pool), or after trim() gave unused exchanges back — but never per request.
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  const std::size_t n = count_allocations({.connections = 16, .depth = 4, .concurrent = true});
  std::printf("allocations on the server thread with 16 busy connections: %zu\n", n);
  if (n >= static_cast<std::size_t>(measured_requests / 20)) print_traces(n);
  EXPECT_LT(n, static_cast<std::size_t>(measured_requests / 20));
}

TEST(ZeroAlloc, AllocatingHandlerIsDetected) {
  // The detector itself must work: one allocation per request shows up as such.
  if (under_asan()) GTEST_SKIP() << "ASan bypasses the frame pool: coroutine frames are malloc'ed";
  EXPECT_GE(count_allocations({.connections = 16, .depth = 1, .allocating_handler = true}),
            static_cast<std::size_t>(measured_requests));
}

}  // namespace
}  // namespace coring::http::test
