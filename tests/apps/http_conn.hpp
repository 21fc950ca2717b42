#pragma once
// http_conn: a blocking HTTP/1.1 client connection for app tests — send raw request
// bytes, read responses one at a time (Content-Length, chunked or until close).
// Deliberately independent of http/ (the code under test).

#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/core/test_support.hpp"

namespace coring::test {

struct http_reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool closed = false;  // the server closed the connection after this reply

  std::string header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.first == name) return true;
    }
    return false;
  }
};

class http_conn {
 public:
  explicit http_conn(std::uint16_t port) : fd_(connect_to(port)) {}

  void send(std::string_view bytes) { write_all(fd_.get(), bytes); }

  // Reads the next response; `head` for a response to HEAD (no body).
  http_reply read(bool head = false) {
    http_reply r;
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) more();
    const std::string head_text = in_.substr(0, end);
    in_.erase(0, end + 4);
    std::size_t line_end = head_text.find("\r\n");
    const std::string status_line = head_text.substr(0, line_end);
    if (status_line.rfind("HTTP/1.", 0) != 0)
      throw std::runtime_error("bad status line: " + status_line);
    r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head_text.find("\r\n", start);
      const std::string line = head_text.substr(
          start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      r.headers.emplace_back(name, line.substr(v));
    }
    const bool no_body = head || r.status == 204 || r.status == 304 || r.status / 100 == 1;
    if (no_body) {
    } else if (r.has_header("content-length")) {
      const std::size_t n = std::stoul(r.header("content-length"));
      while (in_.size() < n) more();
      r.body = in_.substr(0, n);
      in_.erase(0, n);
    } else if (r.header("transfer-encoding") == "chunked") {
      for (;;) {
        std::size_t eol;
        while ((eol = in_.find("\r\n")) == std::string::npos) more();
        const std::size_t size = std::stoul(in_.substr(0, eol), nullptr, 16);
        in_.erase(0, eol + 2);
        while (in_.size() < size + 2) more();
        r.body += in_.substr(0, size);
        in_.erase(0, size + 2);
        if (size == 0) break;
      }
    } else {
      while (fill()) {
      }
      r.body = std::move(in_);
      in_.clear();
      r.closed = true;
    }
    if (r.header("connection") == "close") r.closed = true;
    return r;
  }

  http_reply roundtrip(std::string_view request, bool head = false) {
    send(request);
    return read(head);
  }

  // True if the server closed the connection (reads to EOF; use after a close).
  bool at_eof() {
    while (fill()) {
    }
    return in_.empty();
  }

  int fd() const noexcept { return fd_.get(); }

 private:
  void more() {
    if (!fill()) throw std::runtime_error("connection closed mid-response");
  }
  bool fill() {
    char chunk[16384];
    const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n < 0) fail_errno("recv");
    if (n == 0) {
      eof_ = true;
      return false;
    }
    in_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  unique_fd fd_;
  std::string in_;
  bool eof_ = false;
};

inline std::string get_request(std::string_view path) {
  return "GET " + std::string(path) + " HTTP/1.1\r\nhost: test\r\n\r\n";
}

}  // namespace coring::test
