#pragma once
// A blocking HTTP/1.1 test client on plain sockets: send raw bytes, read parsed
// responses (status, headers, body by content-length), detect EOF — every read with a
// deadline, so a server bug fails a test instead of hanging it.
//
// Deliberately independent of http/: the code under test must not check itself.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace coring::http::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

[[noreturn]] inline void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

struct http_response {
  int status = 0;
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string raw;  // every byte of the response as received

  // The first header named `name` (lower case), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return std::nullopt;
  }
};

// Parses one response at the start of `data`; nullopt if it is not complete yet.
// `no_body`: the request was HEAD (content-length describes a body that is not sent).
// Throws on bytes that are not a response.
inline std::optional<http_response> parse_response(std::string_view data, bool no_body,
                                                   std::size_t* used) {
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::nullopt;
  http_response r;
  std::string_view head = data.substr(0, end);
  const std::size_t line_end = head.find("\r\n");
  r.status_line = std::string(head.substr(0, line_end));
  if (r.status_line.size() < 12 || r.status_line.compare(0, 5, "HTTP/") != 0) {
    throw std::runtime_error("not an HTTP response: " + std::string(data.substr(0, 80)));
  }
  r.status = std::stoi(r.status_line.substr(9, 3));
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    const std::size_t eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? "" : rest.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(lower(line.substr(0, colon)), std::string(value));
  }
  std::size_t length = 0;
  if (auto cl = r.header("content-length"); cl && !no_body && r.status >= 200) {
    length = std::stoul(*cl);
  }
  const std::size_t total = end + 4 + length;
  if (data.size() < total) return std::nullopt;
  r.body = std::string(data.substr(end + 4, length));
  r.raw = std::string(data.substr(0, total));
  *used = total;
  return r;
}

inline std::uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Opens a TCP socket to 127.0.0.1:port; returns the fd or -errno.
inline int try_connect(std::uint16_t port, bool nonblocking = false) {
  const int fd =
      ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) throw_errno("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
    const int e = errno;
    ::close(fd);
    return -e;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // one send = one segment
  return fd;
}

class client {
 public:
  explicit client(std::uint16_t port) : fd_(try_connect(port)) {
    if (fd_ < 0) {
      errno = -fd_;
      throw_errno("connect");
    }
  }
  ~client() {
    if (fd_ >= 0) ::close(fd_);
  }
  client(client&& o) noexcept : fd_(std::exchange(o.fd_, -1)), buffer_(std::move(o.buffer_)) {}
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  int fd() const noexcept { return fd_; }

  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw_errno("send");
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // The next response; nullopt on a clean EOF before any byte of it. Throws on
  // timeout, on a reset, or on EOF in the middle of a response.
  std::optional<http_response> read_response(bool no_body = false,
                                             std::chrono::milliseconds timeout = 10s) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
      std::size_t used = 0;
      if (auto r = parse_response(buffer_, no_body, &used)) {
        buffer_.erase(0, used);
        return r;
      }
      if (!fill(deadline)) {
        if (buffer_.empty()) return std::nullopt;
        throw std::runtime_error("EOF inside a response: " + buffer_.substr(0, 200));
      }
    }
  }

  // A response that must be there.
  http_response expect_response(bool no_body = false, std::chrono::milliseconds timeout = 10s) {
    auto r = read_response(no_body, timeout);
    if (!r) throw std::runtime_error("connection closed before a response");
    return std::move(*r);
  }

  // Sends `request` and returns its response.
  http_response roundtrip(std::string_view request, bool no_body = false) {
    send(request);
    return expect_response(no_body);
  }

  // True if the server closes the connection (EOF or reset) within `timeout` without
  // sending anything more; false if it stays open that long. Throws on unexpected bytes.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
      if (!buffer_.empty()) throw std::runtime_error("unexpected bytes: " + buffer_.substr(0, 200));
      try {
        if (!fill(deadline)) return true;
      } catch (const timeout_error&) {
        return false;
      }
    }
  }

  // Bytes received but not yet parsed.
  const std::string& pending() const noexcept { return buffer_; }

  struct timeout_error : std::runtime_error {
    using std::runtime_error::runtime_error;
  };

 private:
  // Appends what arrives before `deadline`; false on EOF (or reset).
  bool fill(steady::time_point deadline) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left.count() <= 0) throw timeout_error("timed out waiting for the server");
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;  // re-check the deadline
      char chunk[65536];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n < 0 && errno == ECONNRESET) return false;
      if (n < 0) throw_errno("recv");
      if (n == 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  }

  int fd_;
  std::string buffer_;
};

// "GET <path> HTTP/1.1" with a Host header and optional extra header lines.
inline std::string get_request(std::string_view path, std::string_view extra_headers = "") {
  std::string r = "GET ";
  r += path;
  r += " HTTP/1.1\r\nHost: test\r\n";
  r += extra_headers;
  r += "\r\n";
  return r;
}

}  // namespace coring::http::test
