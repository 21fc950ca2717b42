// LARGE TEST (30,000 TCP connections, a few seconds): a posts server under
// RLIMIT_NOFILE 20,000 holds 30,000 keep-alive connections at once and answers a
// request on every one of them — with two threads (two rings, two direct-descriptor
// tables), and with one, whose table the kernel caps at the fd limit: the accepts past
// it must go on as plain descriptors.
//
// Three forked client processes open 10,000 connections each (each from its own source
// address, so each has its own ephemeral port range), send GET /posts/1 on every one
// and read every answer; once all three report, the parent releases them and each
// checks that none of its connections was closed meanwhile.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/apps/http_conn.hpp"
#include "tests/apps/posts_support.hpp"
#include "tests/apps/server_process.hpp"

namespace coring::test {
namespace {

constexpr int client_processes = 3;
constexpr int per_client = 10'000;
constexpr rlim_t fd_limit = 20'000;
constexpr char status_answered = 'A', status_held = 'K', status_failed = 'E';

[[noreturn]] void quit(int status_fd, const char* what, int fd_index) {
  std::fprintf(stderr, "client: connection %d: %s: %s\n", fd_index, what, std::strerror(errno));
  (void)!::write(status_fd, &status_failed, 1);
  ::_exit(3);
}

// Is `in` one complete response (headers + content-length body)?
bool complete(const std::string& in) {
  const std::size_t end = in.find("\r\n\r\n");
  const std::size_t length = in.find("content-length: ");
  if (end == std::string::npos || length == std::string::npos) return false;
  return in.size() >= end + 4 + std::stoul(in.substr(length + 16, 12));
}

// Reads until every connection has one complete 200 response.
void read_answers(int epoll_fd, std::vector<int>& fds, int status_fd) {
  std::vector<std::string> in(fds.size());
  int answered = 0;
  std::vector<epoll_event> events(1024);
  char chunk[4096];
  while (answered < per_client) {
    const int n = ::epoll_wait(epoll_fd, events.data(), 1024, 30'000);
    if (n <= 0) quit(status_fd, "no answer within 30 s", answered);
    for (int e = 0; e < n; ++e) {
      const int i = static_cast<int>(events[e].data.u32);
      const ssize_t got = ::recv(fds[i], chunk, sizeof chunk, MSG_DONTWAIT);
      if (got <= 0) quit(status_fd, "closed before its answer", i);
      in[i].append(chunk, static_cast<std::size_t>(got));
      if (complete(in[i])) {
        if (in[i].rfind("HTTP/1.1 200 ", 0) != 0) quit(status_fd, "not 200", i);
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fds[i], nullptr);
        ++answered;
      }
    }
  }
}

[[noreturn]] void client_process(int index, int go_fd, int status_fd, int release_fd) {
  std::uint16_t port = 0;
  if (::read(go_fd, &port, sizeof port) != sizeof port) ::_exit(2);
  char source[32];
  std::snprintf(source, sizeof source, "127.0.0.%d", index + 2);
  const sockaddr_in from = loopback(0, source);
  const sockaddr_in to = loopback(port);
  const std::string request = get_request("/posts/1");
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<int> fds;
  for (int i = 0; i < per_client; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
      quit(status_fd, "connect", i);
    }
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
      quit(status_fd, "send", i);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    fds.push_back(fd);
  }
  read_answers(epoll_fd, fds, status_fd);
  (void)!::write(status_fd, &status_answered, 1);
  pollfd release{release_fd, POLLIN, 0};
  if (::poll(&release, 1, 60'000) != 1) ::_exit(4);
  // Every answer was read and nothing more was sent: a readable socket was closed.
  std::vector<pollfd> all;
  for (int fd : fds) all.push_back(pollfd{fd, POLLIN | POLLRDHUP, 0});
  const bool held = ::poll(all.data(), all.size(), 0) == 0;
  (void)!::write(status_fd, held ? &status_held : &status_failed, 1);
  ::_exit(held ? 0 : 5);
}

// Waits for `count` status bytes; returns how many were `want`.
int await_statuses(int status_fd, int count, char want) {
  int seen = 0, matching = 0;
  while (seen < count) {
    pollfd p{status_fd, POLLIN, 0};
    if (::poll(&p, 1, 60'000) != 1) break;
    char byte = 0;
    if (::read(status_fd, &byte, 1) != 1) break;
    ++seen;
    if (byte == want) ++matching;
  }
  return matching;
}

// Runs the clients against a posts server with `threads` threads.
void expect_30000_connections_held(const char* threads) {
  rlimit limit{fd_limit, fd_limit};
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0) << "the test must lower the fd limit";
  client_pipes pipes;
  const std::vector<pid_t> children = fork_clients(client_processes, pipes, client_process);
  int* go = pipes.go;
  int* status = pipes.status;
  int* release = pipes.release;

  posts_support::scratch_dir dir;
  server_process posts("posts", {"--port", "0", "--threads", threads, "--data", dir.path(),
                                 "--seed-posts", "10", "--stats"});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < client_processes; ++i) {
    const std::uint16_t port = posts.port();
    ASSERT_EQ(::write(go[1], &port, sizeof port), static_cast<ssize_t>(sizeof port));
  }
  const int answered = await_statuses(status[0], client_processes, status_answered);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  {
    http_conn extra(posts.port());  // the full server still answers a newcomer
    EXPECT_EQ(extra.roundtrip(get_request("/posts?limit=1")).status, 200);
  }
  ::close(release[1]);
  const int held = await_statuses(status[0], client_processes, status_held);
  for (pid_t pid : children) ::waitpid(pid, nullptr, 0);
  std::printf("30,000 connections answered in %lld ms (%s threads)\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()),
              threads);
  EXPECT_EQ(answered, client_processes) << "every connection answered (client errors above)";
  EXPECT_EQ(held, client_processes) << "no connection closed while all were open";
  EXPECT_EQ(posts.stop(), 0);
  ::close(go[1]);
  ::close(status[0]);
}

TEST(PostsConnections, TwoThreadsHold30000KeepAliveConnectionsUnderFdLimit20000) {
  expect_30000_connections_held("2");
}

TEST(PostsConnections, OneThreadHolds30000KeepAliveConnectionsUnderFdLimit20000) {
  expect_30000_connections_held("1");
}

}  // namespace
}  // namespace coring::test
