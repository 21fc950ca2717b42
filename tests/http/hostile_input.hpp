#pragma once
// hostile_input: seeded random mutations of valid HTTP/1.1 requests, sent to a live
// server, and a strict check of what comes back.
//
// A case is 1–3 pipelined requests from a template list with 0–4 mutations (byte
// flips, inserted separators and digits, deleted, duplicated or inflated ranges, huge
// numbers, truncation), sent in 1–4 segments, then the write side is shut down. The server's
// answer must be a sequence of complete, well-framed HTTP/1.x responses and nothing
// else; statuses only from the expected set; a `connection: close` response only last;
// an error status closing the connection unless the application answered it (an app's
// own 4xx, e.g. kv's "key too long", keeps the connection); and an unmutated case must
// be answered 2xx per request.
// Deliberately independent of http/ (the code under test).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace coring::test::hostile {

using namespace std::string_view_literals;

// CORING_HOSTILE_SEED / CORING_HOSTILE_CASES override a test's seed and case count, for
// longer runs by hand (`CORING_HOSTILE_CASES=200000 ctest -R Mutated`).
// A set but malformed value (not a positive integer) is an error, not a silent 0.
inline std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr) return fallback;
  char* end = nullptr;
  const std::uint64_t n = std::strtoull(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n == 0) {
    throw std::invalid_argument(std::string(name) + " must be a positive integer, got '" + v + "'");
  }
  return n;
}
inline std::uint64_t seed_or(std::uint64_t fallback) {
  return env_or("CORING_HOSTILE_SEED", fallback);
}
inline std::uint64_t cases_or(std::uint64_t fallback) {
  return env_or("CORING_HOSTILE_CASES", fallback);
}

struct case_input {
  std::string wire;
  std::vector<std::size_t> segment_ends;  // ascending, last == wire.size()
  int requests = 0;                       // requests in the template before mutation
  int mutations = 0;
};

class generator {
 public:
  // Each case joins 1..max_joined templates (pipelined requests; 1 for responses).
  generator(std::uint64_t seed, std::vector<std::string> templates, int max_joined = 3)
      : rng_(seed), templates_(std::move(templates)), max_joined_(max_joined) {}

  case_input next() {
    case_input c;
    c.requests = static_cast<int>(pick(1, static_cast<std::size_t>(max_joined_)));
    for (int i = 0; i < c.requests; ++i) c.wire += templates_[pick(0, templates_.size() - 1)];
    c.mutations = pick(0, 4) == 0 ? 0 : static_cast<int>(pick(1, 4));  // a fifth stay valid
    for (int i = 0; i < c.mutations && !c.wire.empty(); ++i) mutate(c.wire);
    const std::size_t segments = pick(1, 4);
    for (std::size_t i = 1; i < segments && c.wire.size() > 1; ++i) {
      c.segment_ends.push_back(pick(1, c.wire.size() - 1));
    }
    c.segment_ends.push_back(c.wire.size());
    std::sort(c.segment_ends.begin(), c.segment_ends.end());
    return c;
  }

 private:
  std::size_t pick(std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_);
  }

  void mutate(std::string& w) {
    // `sv`: the literal holds a NUL, which a const char* constructor would stop at.
    static constexpr std::string_view interesting =
        "\r\n :\t\0"
        "0123456789abcdefxX-;,/?%\xff"sv;
    const std::size_t at = pick(0, w.size() - 1);
    switch (pick(0, 7)) {
      case 0:  // flip to any byte
        w[at] = static_cast<char>(pick(0, 255));
        break;
      case 1:  // insert a byte that means something to a parser
        w.insert(at, 1, interesting[pick(0, interesting.size() - 1)]);
        break;
      case 2:  // delete a short range
        w.erase(at, pick(1, 8));
        break;
      case 3: {  // duplicate a range (may repeat a header, a chunk, a whole request)
        const std::string piece = w.substr(at, pick(1, 64));
        w.insert(at, piece);
        break;
      }
      case 4: {  // a huge or negative number where a digit was
        const auto digit = w.find_first_of("0123456789", at);
        if (digit != std::string::npos) {
          static constexpr std::string_view numbers[] = {
              "99999999999999999999", "-1", "18446744073709551616", "0x10", "1e3", "100000"};
          w.replace(digit, 1, numbers[pick(0, std::size(numbers) - 1)]);
        }
        break;
      }
      case 5:  // truncate
        w.resize(at);
        break;
      case 6: {  // inflate: repeat a few bytes hundreds of times (headers, target, body limits)
        const std::string piece = w.substr(at, pick(1, 16));
        std::string inflated;
        for (std::size_t n = pick(50, 400); n > 0; --n) inflated += piece;
        w.insert(at, inflated);
        break;
      }
      default:  // swap the case of a letter (header names are case-insensitive, methods not)
        if (std::isalpha(static_cast<unsigned char>(w[at]))) w[at] ^= 0x20;
        break;
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> templates_;
  int max_joined_;
};

// Bytes as a C string literal, for failure messages (the middle of a long one elided).
inline std::string printable(std::string_view bytes) {
  if (bytes.size() > 600) {
    return printable(bytes.substr(0, 400)) + "\" ... " + std::to_string(bytes.size() - 550) +
           " bytes ... \"" + printable(bytes.substr(bytes.size() - 150));
  }
  std::string out;
  for (unsigned char c : bytes) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Sends the case on a fresh connection, shuts the write side down and returns every
// byte the server sends until it closes. "timeout" in *problem if it does not close
// within `limit`.
inline std::string exchange(std::uint16_t port, const case_input& c, std::string* problem,
                            std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    *problem = "connect failed: server gone?";
    if (fd >= 0) ::close(fd);
    return {};
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::size_t from = 0;
  for (std::size_t end : c.segment_ends) {
    // The server may close early (an error answer); later sends may then fail: fine.
    if (end > from) (void)!::send(fd, c.wire.data() + from, end - from, MSG_NOSIGNAL);
    from = end;
  }
  ::shutdown(fd, SHUT_WR);
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      *problem = "the server neither answered nor closed within the limit";
      break;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF, or a reset after an error answer
    received.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return received;
}

struct verdict {
  int ok_responses = 0;  // 2xx
  std::vector<int> statuses;
  std::string problem;  // empty when the answer is acceptable
};

enum class app_errors { close, may_keep_alive };

// Checks a whole answer against the rules in the file comment.
inline verdict check_answer(std::string_view answer, const std::set<int>& allowed,
                            app_errors errors = app_errors::close) {
  verdict v;
  while (!answer.empty()) {
    const std::size_t head_end = answer.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      v.problem = "incomplete response head";
      return v;
    }
    const std::string_view head = answer.substr(0, head_end);
    if (head.size() < 12 ||
        (head.substr(0, 9) != "HTTP/1.1 " && head.substr(0, 9) != "HTTP/1.0 ")) {
      v.problem = "not a status line";
      return v;
    }
    const int status = (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0');
    v.statuses.push_back(status);
    if (!allowed.contains(status)) {
      v.problem = "unexpected status " + std::to_string(status);
      return v;
    }
    std::size_t length = 0;
    bool has_length = false;
    bool closes = false;
    std::size_t line = head.find("\r\n");
    while (line != std::string_view::npos) {
      const std::size_t next = head.find("\r\n", line + 2);
      std::string field(head.substr(
          line + 2, next == std::string_view::npos ? std::string::npos : next - line - 2));
      std::transform(field.begin(), field.end(), field.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (field.starts_with("content-length: ")) {
        const std::string digits = field.substr(16);
        if (digits.empty() || digits.size() > 9 ||
            !std::all_of(digits.begin(), digits.end(),
                         [](char d) { return d >= '0' && d <= '9'; })) {
          v.problem = "bad content-length in a response";
          return v;
        }
        length = std::stoul(digits);
        has_length = true;
      }
      if (field == "connection: close") closes = true;
      line = next;
    }
    if (!has_length && status != 204 && status != 304) {
      v.problem = "response without content-length";
      return v;
    }
    if (answer.size() < head_end + 4 + length) {
      v.problem = "body shorter than its content-length";
      return v;
    }
    answer.remove_prefix(head_end + 4 + length);
    if (status >= 200 && status < 300) ++v.ok_responses;
    if (status >= 400 && !closes && errors == app_errors::close) {
      v.problem = "error status without connection: close";
      return v;
    }
    if (closes && !answer.empty()) {
      v.problem = "bytes after a connection: close response";
      return v;
    }
  }
  return v;
}

struct campaign_result {
  std::uint64_t ok_responses = 0;  // 2xx
  std::uint64_t responses = 0;     // all
  std::uint64_t error_responses = 0;
  std::uint64_t valid_cases = 0;  // unmutated
  std::map<int, std::uint64_t> statuses;
  std::vector<std::string> failures;  // the first few, with the bytes sent and received

  std::string histogram() const {
    std::string out;
    for (const auto& [status, n] : statuses)
      out += " " + std::to_string(status) + "×" + std::to_string(n);
    return out;
  }
};

// Runs `cases` cases against 127.0.0.1:port from `threads` client threads (thread t uses
// seed + t). A valid (unmutated) case must get one response per request (none after an
// HTTP/1.0 request, which ends the connection), all 2xx when app errors close.
inline campaign_result run_campaign(std::uint16_t port, const std::vector<std::string>& templates,
                                    const std::set<int>& allowed, app_errors errors,
                                    std::uint64_t seed, std::uint64_t cases, int threads) {
  campaign_result total;
  std::mutex lock;
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      campaign_result mine;
      const std::uint64_t thread_seed = seed + static_cast<std::uint64_t>(t);
      generator gen(thread_seed, templates);
      for (std::uint64_t i = 0; i < cases / static_cast<std::uint64_t>(threads); ++i) {
        const case_input c = gen.next();
        std::string problem;
        const std::string answer = exchange(port, c, &problem);
        const verdict v = check_answer(answer, allowed, errors);
        if (problem.empty()) problem = v.problem;
        if (problem.empty() && c.mutations == 0) {
          const bool ends_early = c.wire.find("HTTP/1.0") != std::string::npos;
          const auto expected = static_cast<std::size_t>(c.requests);
          const bool counted = ends_early ? !v.statuses.empty() && v.statuses.size() <= expected
                                          : v.statuses.size() == expected;
          const bool all_ok = static_cast<std::size_t>(v.ok_responses) == v.statuses.size();
          if (!counted || (errors == app_errors::close && !all_ok)) {
            problem = "a valid case was not answered once per request";
          }
        }
        mine.ok_responses += static_cast<std::uint64_t>(v.ok_responses);
        mine.responses += v.statuses.size();
        for (int s : v.statuses) {
          ++mine.statuses[s];
          if (s >= 400) ++mine.error_responses;
        }
        if (c.mutations == 0) ++mine.valid_cases;
        if (!problem.empty() && mine.failures.size() < 5) {
          mine.failures.push_back("seed " + std::to_string(thread_seed) + " case " +
                                  std::to_string(i) + ": " + problem + "\n  sent:     \"" +
                                  printable(c.wire) + "\"\n  received: \"" + printable(answer) +
                                  "\"");
        }
      }
      std::lock_guard guard(lock);
      total.ok_responses += mine.ok_responses;
      total.responses += mine.responses;
      total.error_responses += mine.error_responses;
      total.valid_cases += mine.valid_cases;
      for (const auto& [status, n] : mine.statuses) total.statuses[status] += n;
      for (auto& f : mine.failures) {
        if (total.failures.size() < 5) total.failures.push_back(std::move(f));
      }
    });
  }
  for (auto& c : clients) c.join();
  return total;
}

}  // namespace coring::test::hostile
