#pragma once
// request: one parsed HTTP request as views into the receive buffer.
//
// Every string_view points into the connection's input (a provided buffer, or the
// connection's assembly buffer when a request spanned receives); they are valid until
// the handler returns (for an async handler: until its task completes).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace coring::http {

struct header_field {
  std::string_view name;
  std::string_view value;
};

// Case-insensitive ASCII comparison (header names, tokens).
bool iequals(std::string_view a, std::string_view b) noexcept;

enum class method : std::uint8_t {
  get,
  head,
  post,
  put,
  delete_,
  patch,
  options,
  connect,
  trace,
  other
};

// A method's name ("-" for other: its name is in request::method_name).
inline std::string_view method_text(method m) noexcept {
  static constexpr std::string_view names[] = {"GET",   "HEAD",    "POST",    "PUT",   "DELETE",
                                               "PATCH", "OPTIONS", "CONNECT", "TRACE", "-"};
  return names[static_cast<std::size_t>(m)];
}

class request {
 public:
  static constexpr std::size_t max_params = 8;

  http::method method = method::other;
  std::string_view method_name;
  std::string_view target;  // as sent: path + optional "?query"
  std::string_view path;
  std::string_view query;
  std::uint8_t version_major = 1;
  std::uint8_t version_minor = 1;
  bool keep_alive = true;
  std::string_view body;

  // The first field named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const noexcept;
  std::size_t header_count() const noexcept { return header_count_; }
  const header_field& header_at(std::size_t i) const noexcept { return headers_[i]; }

  // Router path parameters ("/users/{id}" → param("id")).
  std::string_view param(std::string_view name) const noexcept;

  // For the parser and the router.
  void clear() noexcept;
  header_field* headers_storage() noexcept { return headers_; }
  void set_header_count(std::size_t n) noexcept { header_count_ = n; }
  void set_headers_storage(header_field* storage) noexcept { headers_ = storage; }
  bool add_param(std::string_view name, std::string_view value) noexcept;
  void clear_params() noexcept { param_count_ = 0; }

 private:
  header_field* headers_ = nullptr;  // owned by the parser (limits.max_headers entries)
  std::size_t header_count_ = 0;
  std::array<header_field, max_params> params_{};
  std::size_t param_count_ = 0;
};

}  // namespace coring::http
