#include "http/conformance.hpp"

#include <array>

namespace coring::http::conformance {
namespace {

// RFC 9110 §5.6.2 tchar.
constexpr auto tchar_table = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// RFC 3986 host [":" port]: reg-name / IPv4 characters, an IP-literal's brackets and
// colons, percent-encoding. Anything else (spaces, "/", "@", controls) is invalid.
// A table, not a search of the punctuation list: every request's Host has dots and a
// colon, and searching the list for each cost more than the rest of the Host check.
constexpr auto host_char_table = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("-._~!$&'()*+,;=:[]%"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

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

}  // namespace

bool is_tchar(unsigned char c) noexcept { return tchar_table[c]; }

void trim_field_values(header_field* fields, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) fields[i].value = trimmed(fields[i].value);
}

verdict check_host(const request& r) noexcept {
  std::size_t hosts = 0;
  std::string_view value;
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    if (!iequals(r.header_at(i).name, "host")) continue;
    ++hosts;
    value = r.header_at(i).value;
  }
  if (hosts > 1) return {400, "more than one Host header"};
  if (hosts == 0) {
    if (r.version_minor >= 1) return {400, "HTTP/1.1 request without Host"};
    return {};
  }
  for (char c : value) {
    if (!is_host_char(static_cast<unsigned char>(c))) return {400, "invalid Host header"};
  }
  return {};
}

verdict check_transfer_coding(const request& r) noexcept {
  for (std::size_t i = 0; i < r.header_count(); ++i) {
    if (!iequals(r.header_at(i).name, "transfer-encoding")) continue;
    std::string_view list = r.header_at(i).value;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      const std::string_view coding = trimmed(list.substr(0, comma));
      if (!coding.empty() && !iequals(coding, "chunked")) {
        return {501, "transfer-coding not implemented"};
      }
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  return {};
}

void split_target(request& r) noexcept {
  std::string_view origin = r.target;
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (!starts_with_scheme(origin, scheme)) continue;
    const std::string_view rest = origin.substr(scheme.size());
    const std::size_t path_at = rest.find_first_of("/?");
    origin = path_at == std::string_view::npos ? std::string_view() : rest.substr(path_at);
    break;
  }
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
