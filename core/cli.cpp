#include "core/cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#ifndef CORING_VERSION
#error "CORING_VERSION is defined by core/CMakeLists.txt"
#endif

namespace coring {
namespace {

struct unit {
  std::string_view name;
  double scale;
};

std::optional<std::uint64_t> parse_whole(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A non-negative decimal number followed by one of `units`.
std::optional<double> parse_scaled(std::string_view text, std::initializer_list<unit> units) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || rest == text.data() || !(value >= 0) || !std::isfinite(value))
    return std::nullopt;
  const std::string_view suffix(rest, static_cast<std::size_t>(end - rest));
  for (const unit& u : units) {
    if (u.name == suffix) return value * u.scale;
  }
  return std::nullopt;
}

std::string base_name(const char* path) {
  const std::string_view p(path);
  const std::size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string flag_name(std::string_view name) { return "--" + std::string(name); }

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  // A bare number is seconds, as in nginx's configuration.
  const auto ns = parse_scaled(
      text,
      {{"", 1e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3}, {"ns", 1}, {"m", 60e9}, {"h", 3600e9}});
  if (!ns || *ns > 1e18) return std::nullopt;  // ~31 years: beyond any sensible timeout
  return std::chrono::nanoseconds(static_cast<long long>(std::llround(*ns)));
}

std::optional<std::size_t> parse_size(std::string_view text) {
  constexpr double k = 1024, m = k * k, g = m * k;
  const auto bytes = parse_scaled(text, {{"", 1},
                                         {"k", k},
                                         {"K", k},
                                         {"KiB", k},
                                         {"m", m},
                                         {"M", m},
                                         {"MiB", m},
                                         {"g", g},
                                         {"G", g},
                                         {"GiB", g}});
  // Whole bytes only: "1.5k" is 1536, "0.3" is refused.
  if (!bytes || *bytes > 1e18 || *bytes != std::floor(*bytes)) return std::nullopt;
  return static_cast<std::size_t>(*bytes);
}

std::string format_duration(std::chrono::nanoseconds d) {
  const long long ns = d.count();
  for (auto [name, scale] :
       {std::pair{"h", 3'600'000'000'000LL}, std::pair{"m", 60'000'000'000LL},
        std::pair{"s", 1'000'000'000LL}, std::pair{"ms", 1'000'000LL}, std::pair{"us", 1'000LL}}) {
    if (ns != 0 && ns % scale == 0) return std::to_string(ns / scale) + name;
  }
  return ns == 0 ? "0" : std::to_string(ns) + "ns";
}

std::string_view cli::value_syntax_help() {
  return "\nValues: a duration is a number with a unit: 100us, 1500ms, 1.5s, 2m, 1h\n"
         "(a bare number is seconds); a size is bytes, or with k or m for KiB or MiB:\n"
         "4096, 16k, 1m. Either form: --name value or --name=value.\n"
         "  --help                   this text\n"
         "  --version                the coring version\n";
}

cli::cli(int argc, char** argv, std::string usage)
    : program_(base_name(argc > 0 ? argv[0] : "coring")), usage_(std::move(usage)) {
  for (int i = 1; i < argc; ++i) args_.emplace_back(argv[i]);
  for (const std::string& a : args_) {
    if (a == "--help" || a == "-h") {
      std::fputs(usage_.c_str(), stdout);
      std::fputs(value_syntax_help().data(), stdout);
      std::exit(0);
    }
    if (a == "--version") {
      std::printf("%s (coring %s)\n", program_.c_str(), CORING_VERSION);
      std::exit(0);
    }
  }
}

void cli::fail(const std::string& message) const {
  const std::string synopsis = usage_.substr(0, usage_.find('\n'));
  std::fprintf(stderr, "%s: %s\n%s\nRun '%s --help' for every flag and the value syntax.\n",
               program_.c_str(), message.c_str(), synopsis.c_str(), program_.c_str());
  std::exit(2);
}

// A flag given more than once takes its last value, so a script can append overrides.
std::optional<std::string> cli::take_raw(std::string_view name, bool has_value) {
  const std::string flag = flag_name(name);
  std::optional<std::string> value;
  for (std::size_t i = 0; i < args_.size();) {
    const std::string& a = args_[i];
    const auto at = args_.begin() + static_cast<long>(i);
    if (a == flag) {
      if (has_value && i + 1 >= args_.size()) fail(flag + " needs a value");
      value = has_value ? args_[i + 1] : std::string();
      args_.erase(at, at + (has_value ? 2 : 1));
    } else if (a.rfind(flag + "=", 0) == 0) {
      if (!has_value) fail(flag + " takes no value");
      value = a.substr(flag.size() + 1);
      args_.erase(at);
    } else {
      ++i;
    }
  }
  return value;
}

std::optional<std::string> cli::take_string(std::string_view name) { return take_raw(name, true); }

bool cli::take_switch(std::string_view name) { return take_raw(name, false).has_value(); }

std::optional<std::uint64_t> cli::take_number(std::string_view name, std::uint64_t min,
                                              std::uint64_t max) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  auto value = parse_whole(*text);
  if (!value || *value < min || *value > max) {
    fail(flag_name(name) + " must be a whole number from " + std::to_string(min) + " to " +
         std::to_string(max) + ", got '" + *text + "'");
  }
  return value;
}

std::optional<std::chrono::nanoseconds> cli::take_duration(std::string_view name,
                                                           std::chrono::nanoseconds min,
                                                           std::chrono::nanoseconds max) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  auto d = parse_duration(*text);
  if (!d) {
    fail(flag_name(name) + " takes a duration like 100us, 1500ms, 1.5s or 1h, got '" + *text + "'");
  }
  if (*d < min || *d > max) {
    const std::string upper =
        max == std::chrono::nanoseconds::max() ? "" : " to " + format_duration(max);
    fail(flag_name(name) + " must be from " + format_duration(min) + upper + ", got '" + *text +
         "'");
  }
  return d;
}

std::optional<std::size_t> cli::take_size(std::string_view name, std::size_t min, std::size_t max) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  auto bytes = parse_size(*text);
  if (!bytes) fail(flag_name(name) + " takes a size like 4096, 16k or 1m, got '" + *text + "'");
  if (*bytes < min || *bytes > max) {
    fail(flag_name(name) + " must be from " + std::to_string(min) + " to " + std::to_string(max) +
         " bytes, got '" + *text + "'");
  }
  return bytes;
}

std::optional<std::size_t> cli::take_choice(std::string_view name,
                                            std::initializer_list<std::string_view> choices) {
  auto text = take_raw(name, true);
  if (!text) return std::nullopt;
  std::string listed;
  std::size_t index = 0;
  for (std::string_view c : choices) {
    if (c == *text) return index;
    listed += (index++ == 0 ? "" : " or ") + std::string(c);
  }
  fail(flag_name(name) + " must be " + listed + ", got '" + *text + "'");
}

void cli::finish() {
  if (!args_.empty()) fail("unknown flag '" + args_.front() + "'");
}

}  // namespace coring
