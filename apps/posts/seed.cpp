#include "seed.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace posts {
namespace {

constexpr std::array<std::string_view, 32> words = {
    "ring",    "queue",   "kernel",  "submission", "completion", "buffer", "socket", "thread",
    "core",    "latency", "durable", "append",     "log",        "commit", "batch",  "page",
    "request", "reply",   "server",  "client",     "memory",     "frame",  "task",   "sync",
    "disk",    "record",  "offset",  "checksum",   "replay",     "post",   "author", "title"};
constexpr std::array<std::string_view, 8> first_names = {"Ada",    "Grace",   "Linus", "Barbara",
                                                         "Dennis", "Frances", "Ken",   "Radia"};
constexpr std::array<std::string_view, 8> last_names = {
    "Lovelace", "Hopper", "Torvalds", "Liskov", "Ritchie", "Allen", "Thompson", "Perlman"};
constexpr std::int64_t first_created_ms = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// splitmix64: a fixed, portable sequence.
struct sequence {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

std::string sentence(sequence& s, std::size_t min_bytes) {
  std::string out;
  while (out.size() < min_bytes) {
    if (!out.empty()) out += ' ';
    out += words[s.below(words.size())];
  }
  out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

}  // namespace

std::vector<post> seed_posts(std::size_t count) {
  std::vector<post> out;
  out.reserve(count);
  sequence s{42};
  for (std::size_t i = 0; i < count; ++i) {
    post p;
    p.id = i + 1;
    p.created_ms = first_created_ms + static_cast<std::int64_t>(i) * 60'000;
    p.title = sentence(s, 40 + s.below(20));
    p.author = std::string(first_names[s.below(first_names.size())]) + " " +
               std::string(last_names[s.below(last_names.size())]);
    p.body = sentence(s, 560 + s.below(80)) + ".";
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace posts
