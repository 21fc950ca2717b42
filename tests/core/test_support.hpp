#pragma once
// Helpers shared by the core tests: plain blocking sockets for the "client" side of a
// test (run on the test thread before the loop starts, or on a helper thread), payload
// generation and checksums, and a wall-clock stopwatch.
//
// Everything here is ordinary POSIX: the code under test is the runtime, not this.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace coring::test {

[[noreturn]] inline void fail_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// An owned plain file descriptor.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  unique_fd& operator=(unique_fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~unique_fd() { reset(); }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

inline sockaddr_in loopback(std::uint16_t port, const char* host = "127.0.0.1") {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) throw std::invalid_argument(host);
  return a;
}

// So a test that goes wrong fails with a timeout error instead of hanging forever.
inline void set_io_timeout(int fd, std::chrono::milliseconds limit) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(limit.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((limit.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A blocking TCP client socket connected to host:port. A connect to a listening socket
// completes in the kernel (backlog), so this works before the server loop accepts.
inline unique_fd connect_to(std::uint16_t port, const char* host = "127.0.0.1") {
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail_errno("socket");
  sockaddr_in a = loopback(port, host);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    fail_errno("connect");
  }
  set_io_timeout(fd.get(), std::chrono::seconds(20));
  return fd;
}

inline std::vector<unique_fd> connect_many(std::uint16_t port, std::size_t count,
                                           const char* host = "127.0.0.1") {
  std::vector<unique_fd> fds;
  fds.reserve(count);
  for (std::size_t i = 0; i < count; ++i) fds.push_back(connect_to(port, host));
  return fds;
}

// A plain listening socket on 127.0.0.1 with an ephemeral port.
inline unique_fd listen_plain(std::uint16_t* port) {
  unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) fail_errno("socket");
  sockaddr_in a = loopback(0);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) fail_errno("bind");
  if (::listen(fd.get(), 128) != 0) fail_errno("listen");
  socklen_t len = sizeof a;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return fd;
}

// Both ends of one loopback TCP connection, as plain fds.
struct tcp_pair {
  unique_fd client;
  unique_fd server;
};

inline tcp_pair make_tcp_pair() {
  std::uint16_t port = 0;
  unique_fd l = listen_plain(&port);
  tcp_pair p;
  p.client = connect_to(port);
  p.server = unique_fd(::accept4(l.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!p.server) fail_errno("accept");
  set_io_timeout(p.server.get(), std::chrono::seconds(20));
  return p;
}

inline void write_all(int fd, const void* data, std::size_t length) {
  const char* p = static_cast<const char*>(data);
  while (length > 0) {
    ssize_t n = ::send(fd, p, length, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("send");
    p += n;
    length -= static_cast<std::size_t>(n);
  }
}
inline void write_all(int fd, std::string_view data) { write_all(fd, data.data(), data.size()); }

// Reads exactly `length` bytes (throws on EOF/timeout before that).
inline std::string read_exact(int fd, std::size_t length) {
  std::string out(length, '\0');
  std::size_t got = 0;
  while (got < length) {
    ssize_t n = ::recv(fd, out.data() + got, length - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("recv");
    if (n == 0) throw std::runtime_error("EOF after " + std::to_string(got) + " bytes");
    got += static_cast<std::size_t>(n);
  }
  return out;
}

// Reads until the peer shuts down its side (throws on error/timeout).
inline std::string read_to_eof(int fd) {
  std::string out;
  char chunk[65536];
  for (;;) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("recv");
    if (n == 0) return out;
    out.append(chunk, static_cast<std::size_t>(n));
  }
}

// Deterministic pseudo-random bytes (xorshift), different for every seed.
inline std::string payload(std::uint64_t seed, std::size_t length) {
  std::string out(length, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < length; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

// FNV-1a, to compare large payloads without printing them on failure.
inline std::uint64_t checksum(std::string_view data) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

using clock = std::chrono::steady_clock;

inline std::chrono::milliseconds elapsed_ms(clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - since);
}

// The pipes between a test and the client processes it forks: `go` (test → clients,
// e.g. the port), `status` (clients → test, one byte per verdict) and `release` (the
// clients wait until the test closes its end). The test keeps go[1], status[0] and
// release[1]; each client gets go[0], status[1] and release[0].
struct client_pipes {
  int go[2] = {-1, -1};
  int status[2] = {-1, -1};
  int release[2] = {-1, -1};
};

// Creates the pipes and forks `count` clients, each running
// client(index, go_read, status_write, release_read), which must not return (it ends
// with _exit). Call before the test starts any thread. Returns the children's pids.
template <class Client>
std::vector<pid_t> fork_clients(int count, client_pipes& p, Client client) {
  if (::pipe2(p.go, O_CLOEXEC) != 0 || ::pipe2(p.status, O_CLOEXEC) != 0 ||
      ::pipe2(p.release, O_CLOEXEC) != 0) {
    fail_errno("pipe2");
  }
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) fail_errno("fork");
    if (pid == 0) {
      ::close(p.go[1]);
      ::close(p.status[0]);
      ::close(p.release[1]);
      client(i, p.go[0], p.status[1], p.release[0]);
    }
    children.push_back(pid);
  }
  ::close(p.go[0]);
  ::close(p.status[1]);
  ::close(p.release[0]);
  return children;
}

// Aborts the test binary if the scope is still alive after `limit`: a runtime bug that
// loses a wake-up should fail loudly, not hang the suite until ctest's timeout.
class watchdog {
 public:
  explicit watchdog(std::chrono::seconds limit, const char* what = "test")
      : thread_([this, limit, what] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, limit, [this] { return disarmed_; })) {
            std::fprintf(stderr, "watchdog: %s still running after %llds, aborting\n", what,
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~watchdog() {
    {
      std::lock_guard lock(mutex_);
      disarmed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;
};

inline constexpr bool asan_build =
#if defined(__SANITIZE_ADDRESS__)
    true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

}  // namespace coring::test
