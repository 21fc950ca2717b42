#include "http/conformance.hpp"

#include <array>
#include <cstring>

namespace coring::http::conformance {
namespace {

// RFC 3986 host [":" port]: reg-name / IPv4 characters, an IP-literal's brackets and
// colons, percent-encoding. Anything else (spaces, "/", "@", controls) is invalid.
constexpr std::array<bool, 256> host_char_table = alnum_and("-._~!$&'()*+,;=:[]%");

bool is_host_char(unsigned char c) noexcept { return host_char_table[c]; }

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_scheme(std::string_view target, std::string_view scheme) noexcept {
  return target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme);
}

// A client sends the same Host on every request of a connection, and most clients of a
// server send the same one: the last value this thread found valid is kept, so a repeat
// costs one compare instead of a table lookup per byte.
struct valid_host_memo {
  static constexpr std::size_t capacity = 64;
  std::array<char, capacity> bytes{};
  std::size_t length = 0;

  bool holds(std::string_view value) const noexcept {
    return value.size() == length && std::memcmp(value.data(), bytes.data(), length) == 0;
  }
  void keep(std::string_view value) noexcept {
    if (value.empty() || value.size() > capacity) return;  // an empty view may be null
    std::memcpy(bytes.data(), value.data(), value.size());
    length = value.size();
  }
};
thread_local valid_host_memo last_valid_host;

verdict check_host(std::size_t hosts, std::string_view value, unsigned version_minor) noexcept {
  if (hosts > 1) return {400, "more than one Host header"};
  if (hosts == 0) {
    if (version_minor >= 1) return {400, "HTTP/1.1 request without Host"};
    return {};
  }
  if (!value.empty() && last_valid_host.holds(value)) return {};
  for (char c : value) {
    if (!is_host_char(static_cast<unsigned char>(c))) return {400, "invalid Host header"};
  }
  last_valid_host.keep(value);
  return {};
}

// A field name, already known to be all tchar, against a lowercase name: OR-ing 0x20
// lowers A-Z and turns no other tchar into a letter or '-', so one OR per byte does
// what a case fold of both sides would.
bool is_field_name(std::string_view name, std::string_view lowercase) noexcept {
  if (name.size() != lowercase.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if ((static_cast<unsigned char>(name[i]) | 0x20U) != static_cast<unsigned char>(lowercase[i]))
      return false;
  }
  return true;
}

verdict check_transfer_coding(std::string_view list) noexcept {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view coding = trimmed(list.substr(0, comma));
    if (!coding.empty() && !iequals(coding, "chunked")) {
      return {501, "transfer-coding not implemented"};
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return {};
}

}  // namespace

void trim_field_values(header_field* fields, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) fields[i].value = trimmed(fields[i].value);
}

header_check check_headers(const request& r) noexcept {
  constexpr std::string_view host = "host";
  constexpr std::string_view expect = "expect";
  constexpr std::string_view transfer_encoding = "transfer-encoding";
  std::size_t hosts = 0;
  std::string_view host_value;
  verdict coding;
  bool expect_seen = false;
  bool expect_continue = false;
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    const header_field& field = r.header_at(i);
    const std::size_t length = field.name.size();
    if (length == host.size() && is_field_name(field.name, host)) {
      ++hosts;
      host_value = field.value;
    } else if (length == expect.size() && !expect_seen && is_field_name(field.name, expect)) {
      expect_seen = true;
      expect_continue = iequals(field.value, "100-continue");
    } else if (length == transfer_encoding.size() && coding.status == 0 &&
               is_field_name(field.name, transfer_encoding)) {
      coding = check_transfer_coding(field.value);
    }
  }
  const verdict host_verdict = check_host(hosts, host_value, r.version_minor);
  return {host_verdict.status != 0 ? host_verdict : coding, expect_continue};
}

namespace {

// The origin-form part ("/path?query") of an absolute-form target, or the target itself.
std::string_view origin_part(std::string_view target) noexcept {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (!starts_with_scheme(target, scheme)) continue;
    const std::string_view rest = target.substr(scheme.size());
    const std::size_t path_at = rest.find_first_of("/?");
    return path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at);
  }
  return target;
}

}  // namespace

void split_target(request& r) noexcept {
  // Nearly every target is origin-form ("/..."): only another form can carry a scheme.
  const bool origin_form = !r.target.empty() && r.target.front() == '/';
  const std::string_view origin = origin_form ? r.target : origin_part(r.target);
  const std::size_t question = origin.find('?');
  r.path = origin.substr(0, question);
  r.query = question == std::string_view::npos ? std::string_view() : origin.substr(question + 1);
  if (r.path.empty() && origin.data() != r.target.data()) r.path = root_path;
}

bool is_method_token_prefix(std::string_view request_start, std::size_t error_at) noexcept {
  if (error_at >= request_start.size()) return false;
  for (std::size_t i = 0; i <= error_at; ++i) {
    if (!is_tchar(static_cast<unsigned char>(request_start[i]))) return false;
  }
  return true;
}

}  // namespace coring::http::conformance
