#pragma once
// cli: the small flag parser every app uses: "--name value" or "--name=value",
// "--help". A bad or unknown flag prints a clear message and exits with status 2.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coring::http {

class cli {
 public:
  // usage: printed for --help (exit 0) and after an error (exit 2).
  cli(int argc, char** argv, std::string usage);

  // Each take_* removes the flag if present; a malformed value exits with status 2.
  std::optional<std::string> take_string(std::string_view name);
  bool take_switch(std::string_view name);  // present → true
  std::optional<std::uint64_t> take_number(std::string_view name, std::uint64_t min,
                                           std::uint64_t max);
  // "250ms", "2s", "5m"; a bare number is seconds.
  std::optional<std::chrono::milliseconds> take_duration(std::string_view name);
  // "4096", "16k", "1m" (KiB / MiB).
  std::optional<std::size_t> take_size(std::string_view name);

  // Fails on anything not taken.
  void finish();
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::optional<std::string> take_raw(std::string_view name, bool has_value);
  std::string program_;
  std::string usage_;
  std::vector<std::string> args_;
};

// Parses "2s" / "250ms" / "1m" / "30" (seconds); nullopt if malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace coring::http
