#include "http/client_response.hpp"

#include "http/request.hpp"

namespace coring::http {

std::string_view client_response::header(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < header_count_; ++i) {
    if (iequals(headers_[i].name, name)) return headers_[i].value;
  }
  return {};
}

void client_response::clear() noexcept {
  status = 0;
  keep_alive = false;
  body.clear();
  header_count_ = 0;
  in_value_ = false;
}

void client_response::append_header_name(std::string_view part) {
  if (in_value_ || header_count_ == 0) {
    if (header_count_ == headers_.size()) headers_.emplace_back();
    field& f = headers_[header_count_++];
    f.name.clear();
    f.value.clear();
    in_value_ = false;
  }
  headers_[header_count_ - 1].name.append(part);
}

void client_response::append_header_value(std::string_view part) {
  in_value_ = true;
  if (header_count_ != 0) headers_[header_count_ - 1].value.append(part);
}

}  // namespace coring::http
