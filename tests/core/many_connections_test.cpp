// LARGE TEST (~5 s; 25,000 TCP connections): a 2-thread server holds more live
// connections than RLIMIT_NOFILE allows fds, because accepted sockets live in each
// ring's direct-descriptor table rather than the process fd table.
//
// Clients are 5 forked processes (each under its own fd limit) opening 5,000
// connections each. Each binds its own source address (127.0.0.2, 127.0.0.3, ...) so
// the ephemeral port range is per client, not shared. The server runs
// run_threads(2 threads), a SO_REUSEPORT listener per thread on one port. Clients hold
// their connections until the server has accepted all of them; each then checks that
// none of its sockets was closed or reset, reports on a pipe, and exits.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "core/io.hpp"
#include "core/listener.hpp"
#include "core/threads.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "test_support.hpp"

namespace coring {
namespace {

using namespace std::chrono_literals;

constexpr int client_processes = 5;
constexpr int per_client = 5000;
constexpr unsigned total = client_processes * per_client;

// --- client processes ----------------------------------------------------------------

// Status bytes a client writes to the parent.
constexpr char status_error = 'E';  // could not connect everything
constexpr char status_ok = 'K';     // released with every connection still open
constexpr char status_lost = 'X';   // some connection was closed/reset before release

[[noreturn]] void client_process(int index, int go_fd, int status_fd, int release_fd) {
  std::uint16_t port = 0;
  if (::read(go_fd, &port, sizeof port) != sizeof port) ::_exit(2);
  char source[32];
  std::snprintf(source, sizeof source, "127.0.0.%d", index + 2);
  const sockaddr_in from = test::loopback(0, source);
  const sockaddr_in to = test::loopback(port);
  std::vector<pollfd> fds;
  fds.reserve(per_client);
  for (int i = 0; i < per_client; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    // The port is chosen at connect(), per 4-tuple, not reserved at bind().
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      std::fprintf(stderr, "client %d: connection %d: %s\n", index, i, std::strerror(errno));
      (void)!::write(status_fd, &status_error, 1);
      ::_exit(3);
    }
    fds.push_back(pollfd{fd, POLLIN | POLLRDHUP, 0});
  }
  // Hold everything until the parent closes the release pipe (EOF), at most a minute.
  pollfd release{release_fd, POLLIN, 0};
  if (::poll(&release, 1, 60'000) != 1) ::_exit(4);
  // The server sends nothing and has closed nothing yet: no socket may be readable.
  const int ready = ::poll(fds.data(), fds.size(), 0);
  (void)!::write(status_fd, ready == 0 ? &status_ok : &status_lost, 1);
  for (const pollfd& p : fds) ::close(p.fd);
  ::_exit(ready == 0 ? 0 : 5);
}

// --- server --------------------------------------------------------------------------

struct server_state {
  std::atomic<std::uint16_t> port{0};
  std::atomic<int> listening{0};
  std::atomic<unsigned> accepted{0};
  std::atomic<unsigned> direct{0};
  std::atomic<unsigned> per_thread[2]{};
  std::atomic<unsigned> closed_ok{0};
  std::atomic<std::uint64_t> backoffs{0};
  std::atomic<bool> done{false};  // tells every thread to stop accepting
  int go_fd = -1;                 // write: the port, once per client
  int status_fd = -1;             // read (non-blocking): client status bytes
  int release_fd = -1;            // write end; closing it releases the clients
  int ok = 0, lost = 0, errors = 0;
  bool timed_out = false;
};

task<void> accept_loop(listener* l, unsigned index, server_state* st,
                       std::vector<descriptor>* conns) {
  for (;;) {
    accepted a = co_await l->accept();
    if (a.error != 0) break;
    conns->push_back(a.socket);
    if (a.socket.direct) ++st->direct;
    ++st->per_thread[index];
    ++st->accepted;
  }
  co_await l->drained();
}

void read_statuses(server_state* st) {
  char bytes[16];
  ssize_t n;
  while ((n = ::read(st->status_fd, bytes, sizeof bytes)) > 0) {
    for (ssize_t i = 0; i < n; ++i) {
      if (bytes[i] == status_ok) ++st->ok;
      if (bytes[i] == status_lost) ++st->lost;
      if (bytes[i] == status_error) ++st->errors;
    }
  }
}

// Thread 0: waits for every connection (or a client error / the deadline), releases
// the clients, waits for their verdicts, then stops every listener.
task<void> coordinate(listener* l, server_state* st) {
  const auto deadline = test::clock::now() + 45s;
  while (st->listening.load() < 2) co_await sleep_for(1ms);
  for (int i = 0; i < client_processes; ++i) {
    const std::uint16_t port = st->port;
    (void)!::write(st->go_fd, &port, sizeof port);
  }
  while (st->accepted.load() < total && st->errors == 0) {
    if (test::clock::now() > deadline) {
      st->timed_out = true;
      break;
    }
    co_await sleep_for(2ms);
    read_statuses(st);
  }
  ::close(st->release_fd);
  st->release_fd = -1;
  const auto verdict_deadline = test::clock::now() + 10s;
  while (st->ok + st->lost + st->errors < client_processes &&
         test::clock::now() < verdict_deadline) {
    co_await sleep_for(2ms);
    read_statuses(st);
  }
  st->done = true;
  l->stop();
}

task<void> wait_done(listener* l, server_state* st) {
  while (!st->done.load()) co_await sleep_for(2ms);
  l->stop();
}

task<void> serve(unsigned index, server_state* st) {
  std::optional<listener> l;
  if (index == 0) {
    l.emplace(socket_address::parse("127.0.0.1", 0));
    st->port = l->port();
  } else {
    while (st->port.load() == 0) co_await sleep_for(1ms);
    l.emplace(socket_address::parse("127.0.0.1", st->port.load()),
              listen_options{.claim_port = false});  // joins thread 0's port
  }
  ++st->listening;
  std::vector<descriptor> conns;
  conns.reserve(total);
  if (index == 0) {
    co_await when_all(accept_loop(&*l, index, st, &conns), coordinate(&*l, st));
  } else {
    co_await when_all(accept_loop(&*l, index, st, &conns), wait_done(&*l, st));
  }
  for (descriptor d : conns) {
    const io_result closed = co_await close(d);  // named: see scripts/lint.sh
    if (closed.ok()) ++st->closed_ok;
  }
  st->backoffs += runtime::current().stats().accept_backoffs;
}

TEST(ManyConnections, TwoThreadServerHoldsMoreConnectionsThanFdLimit) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur >= total) {
    GTEST_SKIP() << "RLIMIT_NOFILE is " << limit.rlim_cur << ": the test needs it below " << total;
  }
  // Fork before any thread exists in this process.
  test::client_pipes pipes;
  const std::vector<pid_t> children = test::fork_clients(client_processes, pipes, client_process);
  int* go = pipes.go;
  int* status = pipes.status;
  int* release = pipes.release;
  ::fcntl(status[0], F_SETFL, O_NONBLOCK);

  server_state st;
  st.go_fd = go[1];
  st.status_fd = status[0];
  st.release_fd = release[1];
  const auto start = test::clock::now();
  {
    test::watchdog dog(90s, "many connections");
    run_threads(thread_options{.threads = 2, .ring = {}, .pin = false, .handle_signals = false},
                [&st](unsigned index) { return serve(index, &st); });
  }
  if (st.release_fd >= 0) ::close(st.release_fd);
  ::close(go[1]);
  ::close(status[0]);
  int exited_ok = 0;
  for (pid_t pid : children) {
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) ++exited_ok;
  }
  std::printf("many connections: %u accepted (%u + %u per thread, %u direct) in %lld ms\n",
              st.accepted.load(), st.per_thread[0].load(), st.per_thread[1].load(),
              st.direct.load(), static_cast<long long>(test::elapsed_ms(start).count()));

  EXPECT_FALSE(st.timed_out) << "only " << st.accepted.load() << " of " << total << " connected";
  EXPECT_EQ(st.errors, 0) << "a client could not open its connections (see stderr)";
  EXPECT_EQ(st.accepted.load(), total);
  EXPECT_GT(st.accepted.load(), limit.rlim_cur) << "not more connections than the fd limit";
  EXPECT_EQ(st.direct.load(), total) << "connections should live in the direct-descriptor tables";
  EXPECT_GT(st.per_thread[0].load(), 0u);
  EXPECT_GT(st.per_thread[1].load(), 0u);
  EXPECT_EQ(st.ok, client_processes) << st.lost << " clients saw a connection closed early";
  EXPECT_EQ(st.closed_ok.load(), total);
  EXPECT_EQ(st.backoffs.load(), 0u);
  EXPECT_EQ(exited_ok, client_processes);
}

}  // namespace
}  // namespace coring
