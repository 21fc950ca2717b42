#include "http/conformance.hpp"

#include <array>

namespace coring::http::conformance {
namespace {

// RFC 3986 host [":" port]: reg-name / IPv4 characters, an IP-literal's brackets and
// colons, percent-encoding. Anything else (spaces, "/", "@", controls) is invalid.
constexpr auto host_char_table = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("-._~!$&'()*+,;=:[]%"))
    table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trimmed(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

// A field name (already checked to be all tchar) against a lowercase name: OR-ing 0x20
// lowers A-Z and changes no other tchar into a letter or '-', so one OR per byte
// replaces a case conversion of both sides.
bool is_field_name(std::string_view name, std::string_view lowercase) noexcept {
  if (name.size() != lowercase.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if ((static_cast<unsigned char>(name[i]) | 0x20) != static_cast<unsigned char>(lowercase[i]))
      return false;
  }
  return true;
}

bool starts_with_scheme(std::string_view target, std::string_view scheme) noexcept {
  return target.size() >= scheme.size() && iequals(target.substr(0, scheme.size()), scheme);
}

}  // namespace

void trim_field_values(header_field* fields, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) fields[i].value = trimmed(fields[i].value);
}

field_summary summarize(const header_field* fields, std::size_t count) noexcept {
  field_summary summary;
  for (std::size_t i = 0; i < count; ++i) {
    const header_field& f = fields[i];
    switch (f.name.size()) {
      case 4:
        if (is_field_name(f.name, "host")) {
          ++summary.hosts;
          summary.host = f.value;
        }
        break;
      case 6:
        if (summary.expect.data() == nullptr && is_field_name(f.name, "expect"))
          summary.expect = f.value;
        break;
      case 17:
        if (is_field_name(f.name, "transfer-encoding")) summary.transfer_coding = true;
        break;
      default:
        break;
    }
  }
  return summary;
}

verdict check_host(const field_summary& fields, int version_minor) noexcept {
  if (fields.hosts > 1) return {400, "more than one Host header"};
  if (fields.hosts == 0) {
    if (version_minor >= 1) return {400, "HTTP/1.1 request without Host"};
    return {};
  }
  for (char c : fields.host) {
    if (!host_char_table[static_cast<unsigned char>(c)]) return {400, "invalid Host header"};
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
  // Origin form ("/path?q"), nearly every request, cannot be absolute form.
  const bool origin_form = !origin.empty() && origin.front() == '/';
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (origin_form) break;
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
