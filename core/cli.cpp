#include "http/cli.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace coring::http {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view text, std::string_view* rest) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  *rest = text.substr(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::string_view unit;
  auto value = parse_number(text, &unit);
  if (!value) return std::nullopt;
  if (unit == "ms") return std::chrono::milliseconds(*value);
  // A bare number is seconds, as in the proxy's flags and nginx's configuration.
  if (unit.empty() || unit == "s") return std::chrono::milliseconds(*value * 1000);
  if (unit == "m") return std::chrono::milliseconds(*value * 60'000);
  return std::nullopt;
}

cli::cli(int argc, char** argv, std::string usage)
    : program_(argc > 0 ? argv[0] : "app"), usage_(std::move(usage)) {
  for (int i = 1; i < argc; ++i) args_.emplace_back(argv[i]);
  for (const std::string& a : args_) {
    if (a == "--help" || a == "-h") {
      std::fputs(usage_.c_str(), stdout);
      std::exit(0);
    }
  }
}

void cli::fail(const std::string& message) const {
  std::fprintf(stderr, "%s: %s\n\n%s", program_.c_str(), message.c_str(), usage_.c_str());
  std::exit(2);
}

std::optional<std::string> cli::take_raw(std::string_view name, bool has_value) {
  const std::string flag = "--" + std::string(name);
  for (std::size_t i = 0; i < args_.size(); ++i) {
    const std::string& a = args_[i];
    if (a == flag) {
      if (!has_value) {
        args_.erase(args_.begin() + static_cast<long>(i));
        return std::string();
      }
      if (i + 1 >= args_.size()) fail(flag + " needs a value");
      std::string value = args_[i + 1];
      args_.erase(args_.begin() + static_cast<long>(i), args_.begin() + static_cast<long>(i) + 2);
      return value;
    }
    if (has_value && a.rfind(flag + "=", 0) == 0) {
      std::string value = a.substr(flag.size() + 1);
      args_.erase(args_.begin() + static_cast<long>(i));
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> cli::take_string(std::string_view name) { return take_raw(name, true); }

bool cli::take_switch(std::string_view name) { return take_raw(name, false).has_value(); }

std::optional<std::uint64_t> cli::take_number(std::string_view name, std::uint64_t min,
                                              std::uint64_t max) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  std::string_view rest;
  auto value = parse_number(*text, &rest);
  if (!value || !rest.empty() || *value < min || *value > max) {
    fail("--" + std::string(name) + " must be a whole number from " + std::to_string(min) + " to " +
         std::to_string(max) + ", got '" + *text + "'");
  }
  return value;
}

std::optional<std::chrono::milliseconds> cli::take_duration(std::string_view name) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d)
    fail("--" + std::string(name) + " takes a duration like 250ms, 2s or 5m, got '" + *text + "'");
  return d;
}

std::optional<std::size_t> cli::take_size(std::string_view name) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  std::string_view unit;
  auto value = parse_number(*text, &unit);
  std::uint64_t scale = 0;
  if (unit.empty()) scale = 1;
  if (unit == "k" || unit == "K" || unit == "KiB") scale = 1024;
  if (unit == "m" || unit == "M" || unit == "MiB") scale = 1024 * 1024;
  if (!value || scale == 0)
    fail("--" + std::string(name) + " takes a size like 4096, 16k or 1m, got '" + *text + "'");
  return static_cast<std::size_t>(*value * scale);
}

void cli::finish() {
  if (!args_.empty()) fail("unknown argument '" + args_.front() + "'");
}

}  // namespace coring::http
