#pragma once
// client_response: what the HTTP client received — status, headers, de-chunked body.
// The caller owns it and may reuse it for the next request: its strings keep their
// capacity, so a steady stream of similar responses allocates nothing.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace coring::http {

class client_response {
 public:
  int status = 0;
  bool keep_alive = false;  // the upstream allows another request on this connection
  std::string body;

  // The first header named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const noexcept;
  std::size_t header_count() const noexcept { return header_count_; }
  std::string_view header_name(std::size_t i) const noexcept { return headers_[i].name; }
  std::string_view header_value(std::size_t i) const noexcept { return headers_[i].value; }

  // For the parser.
  void clear() noexcept;
  void append_header_name(std::string_view part);  // a new field, or more of the current one
  void append_header_value(std::string_view part);

 private:
  struct field {
    std::string name;
    std::string value;
  };
  std::vector<field> headers_;  // entries beyond header_count_ are spare capacity
  std::size_t header_count_ = 0;
  bool in_value_ = false;
};

}  // namespace coring::http
