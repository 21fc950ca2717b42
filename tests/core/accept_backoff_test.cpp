// Accept under EMFILE backs off instead of spinning: a server at its fd limit must not
// re-arm accept in a tight loop (each retry fails at once), and must pick the pending
// connections up again once fds are freed.
//
// The server runs in a forked child so lowering RLIMIT_NOFILE cannot starve the test
// binary; the parent owns the client sockets (they count against its own limit only)
// and reads the child's measurements back through a pipe.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t client_count = 100;
constexpr unsigned fd_headroom = 40;  // fds the server may still open under its lowered limit
constexpr auto stall_window = 300ms;

// What the child measured (plain data: it crosses the pipe as bytes).
struct child_report {
  char error[200] = {};             // non-empty: the child failed before finishing
  std::uint64_t capacity = 0;       // free fds under the lowered limit
  std::uint64_t held_at_limit = 0;  // connections accepted before the first EMFILE
  std::uint64_t backoffs_before_window = 0;
  std::uint64_t backoffs_in_window = 0;
  std::uint64_t iterations_in_window = 0;
  std::uint64_t enters_in_window = 0;
  std::uint64_t accepted_in_window = 0;
  std::uint64_t total_accepted = 0;
  std::uint64_t drain_ms = 0;  // from freeing the held fds to the last accept
};

struct server_state {
  std::vector<descriptor> held;
  std::size_t accepted = 0;
  bool closing = false;  // after the stall: close each connection as soon as it arrives
};

task<void> accept_loop(listener* l, server_state* s) {
  for (;;) {
    accepted a = co_await l->accept();
    if (a.error != 0) break;  // ECANCELED once the controller stops the listener
    ++s->accepted;
    if (s->closing) {
      co_await close(a.socket);
    } else {
      s->held.push_back(a.socket);
    }
  }
}

task<void> controller(listener* l, server_state* s, child_report* r) {
  runtime& rt = runtime::current();
  // 1. The backlog holds more connections than there are fds: accept hits EMFILE.
  auto start = test::clock::now();
  while (rt.stats().accept_backoffs == 0 && test::elapsed_ms(start) < 3s) {
    co_await sleep_for(10ms);
  }
  r->held_at_limit = s->accepted;
  r->backoffs_before_window = rt.stats().accept_backoffs;

  // 2. Stay at the limit for a while: a spinning loop would run flat out here.
  const runtime_stats before = rt.stats();
  const std::size_t accepted_before = s->accepted;
  co_await sleep_for(stall_window);
  const runtime_stats after = rt.stats();
  r->backoffs_in_window = after.accept_backoffs - before.accept_backoffs;
  r->iterations_in_window = after.loop_iterations - before.loop_iterations;
  r->enters_in_window = after.enter_calls - before.enter_calls;
  r->accepted_in_window = s->accepted - accepted_before;

  // 3. Free the held fds: the next backoff expiry re-arms accept and the rest drain.
  s->closing = true;
  start = test::clock::now();
  std::vector<descriptor> held;
  held.swap(s->held);
  for (descriptor d : held) co_await close(d);
  while (s->accepted < client_count && test::elapsed_ms(start) < 3s) co_await sleep_for(5ms);
  r->drain_ms = static_cast<std::uint64_t>(test::elapsed_ms(start).count());
  r->total_accepted = s->accepted;
  l->stop();
  co_await l->drained();
}

// Lowers the soft RLIMIT_NOFILE so exactly `headroom` fds are still free; returns the
// number of free fds below the new limit.
unsigned lower_fd_limit(unsigned headroom) {
  unsigned free_fds = 0;
  int fd = 0;
  for (; free_fds < headroom; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF) ++free_fds;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) test::fail_errno("getrlimit");
  limit.rlim_cur = static_cast<rlim_t>(fd);
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) test::fail_errno("setrlimit");
  return free_fds;
}

// The server side; runs in the forked child. No gtest macros here: results go back
// to the parent in the report.
void serve_in_child(int ready_fd, int go_fd, child_report* r) {
  runtime rt(runtime::options{.fixed_files = 64, .buffer_count = 16, .buffer_size = 64});
  // Plain fds: only they count against RLIMIT_NOFILE (direct descriptors do not).
  listener l(socket_address::parse("127.0.0.1", 0), listen_options{.direct_descriptors = false});
  const std::uint16_t port = l.port();
  if (::write(ready_fd, &port, sizeof port) != sizeof port) test::fail_errno("write port");
  char go = 0;
  if (::read(go_fd, &go, 1) != 1) test::fail_errno("read go");  // clients are in the backlog
  r->capacity = lower_fd_limit(fd_headroom);
  server_state state;
  rt.block_on(when_all(accept_loop(&l, &state), controller(&l, &state, r)));
}

[[noreturn]] void child_main(int ready_fd, int go_fd, int report_fd) {
  alarm(20);  // the watchdog thread is not forked: a hung child dies of SIGALRM
  child_report r;
  try {
    serve_in_child(ready_fd, go_fd, &r);
  } catch (const std::exception& e) {
    std::snprintf(r.error, sizeof r.error, "%s", e.what());
  }
  const bool sent = ::write(report_fd, &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  ::_exit(sent ? 0 : 3);  // _exit: no gtest or atexit teardown in the child
}

// Reads exactly `length` bytes from a pipe; false on EOF (the child died).
bool read_pipe(int fd, void* data, std::size_t length) {
  auto* p = static_cast<char*>(data);
  while (length > 0) {
    ssize_t n = ::read(fd, p, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    length -= static_cast<std::size_t>(n);
  }
  return true;
}

TEST(AcceptBackoff, EmfileBacksOffInsteadOfSpinningAndRecovers) {
  int ready[2], go[2], report[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(go, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    ::close(report[0]);
    child_main(ready[1], go[0], report[1]);
  }
  test::unique_fd ready_r(ready[0]), go_w(go[1]), report_r(report[0]);
  ::close(ready[1]);
  ::close(go[0]);
  ::close(report[1]);
  test::watchdog dog(30s, "accept backoff");

  std::uint16_t port = 0;
  ASSERT_TRUE(read_pipe(ready_r.get(), &port, sizeof port)) << "server child died during set-up";
  std::vector<test::unique_fd> clients = test::connect_many(port, client_count);
  for (test::unique_fd& c : clients) test::set_io_timeout(c.get(), 5s);
  ASSERT_EQ(::write(go_w.get(), "g", 1), 1);

  child_report r;
  const bool got_report = read_pipe(report_r.get(), &r, sizeof r);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(got_report) << "server child died (wait status " << status << ")";
  ASSERT_STREQ(r.error, "");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;

  // The limit was reached with connections still pending, and accept backed off.
  EXPECT_EQ(r.capacity, fd_headroom);
  EXPECT_GT(r.held_at_limit, 0u);
  EXPECT_LE(r.held_at_limit, r.capacity);
  EXPECT_GT(r.backoffs_before_window, 0u) << "EMFILE never reported as a backoff";
  // While at the limit: nothing accepted, retries keep coming (it did not give up), and
  // the loop idles between them (a loop re-arming on every EMFILE turns ~100k times).
  EXPECT_EQ(r.accepted_in_window, 0u);
  EXPECT_GE(r.backoffs_in_window, 5u) << "accept stopped retrying at the fd limit";
  EXPECT_LT(r.iterations_in_window, 1000u) << "the loop spins while accept hits EMFILE";
  EXPECT_LT(r.enters_in_window, 1000u);
  // Once fds were freed, every pending client was accepted.
  EXPECT_EQ(r.total_accepted, client_count);
  EXPECT_LT(r.drain_ms, 3000u);

  // Accepted and then closed by the server, every client sees EOF; one the server never
  // accepted would have been reset when the child's listener closed.
  std::size_t eof = 0;
  for (test::unique_fd& c : clients) {
    char byte;
    if (::recv(c.get(), &byte, 1, 0) == 0) ++eof;
  }
  EXPECT_EQ(eof, client_count);
  std::printf(
      "accept backoff: capacity=%llu held=%llu backoffs/300ms=%llu loop turns/300ms=%llu "
      "drain=%llums\n",
      static_cast<unsigned long long>(r.capacity), static_cast<unsigned long long>(r.held_at_limit),
      static_cast<unsigned long long>(r.backoffs_in_window),
      static_cast<unsigned long long>(r.iterations_in_window),
      static_cast<unsigned long long>(r.drain_ms));
}

}  // namespace
}  // namespace coring
