#pragma once
// cli: the one command-line grammar every coring binary shares.
//
//   --name value  or  --name=value     a flag with a value
//   --name                             a switch
//   (a flag given twice: the last value counts)
//   --help                             usage, then the value syntax (exit 0)
//   --version                          "<program> (coring X.Y.Z)" (exit 0)
//
// Values: whole numbers ("64"), durations ("100us", "1500ms", "1.5s", "1h"; a bare
// number is seconds), sizes ("4096", "16k", "1m"; KiB and MiB). Anything wrong — a
// malformed or out-of-range value, a missing value, an unknown flag — prints
// "<program>: <what is wrong>", the usage line and a pointer to --help on stderr, and
// exits with status 2, before anything has started.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coring {

class cli {
 public:
  // usage: its first line is the synopsis ("usage: NAME [options]"); the whole text is
  // printed for --help.
  cli(int argc, char** argv, std::string usage);

  // Each take_* removes the flag if present; a malformed value exits with status 2.
  std::optional<std::string> take_string(std::string_view name);
  bool take_switch(std::string_view name);  // present → true
  std::optional<std::uint64_t> take_number(std::string_view name, std::uint64_t min,
                                           std::uint64_t max);
  std::optional<std::chrono::nanoseconds> take_duration(
      std::string_view name, std::chrono::nanoseconds min = std::chrono::nanoseconds(0),
      std::chrono::nanoseconds max = std::chrono::nanoseconds::max());
  // A duration in a coarser unit, rounded up: "100us" for a millisecond field is 1ms,
  // so a positive value never becomes 0.
  template <class Duration>
  std::optional<Duration> take_duration_as(std::string_view name) {
    auto d = take_duration(name);
    if (!d) return std::nullopt;
    return std::chrono::ceil<Duration>(*d);
  }
  std::optional<std::size_t> take_size(std::string_view name, std::size_t min = 0,
                                       std::size_t max = std::numeric_limits<std::size_t>::max());
  // One of `choices`; returns its index.
  std::optional<std::size_t> take_choice(std::string_view name,
                                         std::initializer_list<std::string_view> choices);

  // Fails on anything not taken.
  void finish();
  [[noreturn]] void fail(const std::string& message) const;

  // The "Values:" paragraph --help ends with.
  static std::string_view value_syntax_help();

 private:
  std::optional<std::string> take_raw(std::string_view name, bool has_value);
  std::string program_;
  std::string usage_;
  std::vector<std::string> args_;
};

// "100us", "1500ms", "1.5s", "2m", "1h", "30" (seconds); nullopt if malformed.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);
// "4096", "16k", "1m" (KiB, MiB; also K, KiB, M, MiB, g, G, GiB); nullopt if malformed.
std::optional<std::size_t> parse_size(std::string_view text);
// The shortest exact spelling: 1500000ns → "1500us", 2000ms → "2s".
std::string format_duration(std::chrono::nanoseconds d);

}  // namespace coring
