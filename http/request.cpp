#include "http/request.hpp"

namespace coring::http {

namespace {

// ASCII lower case of every byte: two loads and a compare per byte, where folding both
// sides with range tests cost several times more on the per-request header checks.
constexpr auto fold_table = [] {
  std::array<unsigned char, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = static_cast<unsigned char>(c);
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = static_cast<unsigned char>(c + ('a' - 'A'));
  return table;
}();

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (fold_table[static_cast<unsigned char>(a[i])] !=
        fold_table[static_cast<unsigned char>(b[i])]) {
      return false;
    }
  }
  return true;
}

std::string_view request::header(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < header_count_; ++i) {
    if (iequals(headers_[i].name, name)) return headers_[i].value;
  }
  return {};
}

std::string_view request::param(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < param_count_; ++i) {
    if (params_[i].name == name) return params_[i].value;
  }
  return {};
}

bool request::add_param(std::string_view name, std::string_view value) noexcept {
  if (param_count_ == max_params) return false;
  params_[param_count_++] = {name, value};
  return true;
}

void request::clear() noexcept {
  method = method::other;
  method_name = target = path = query = body = {};
  version_major = 1;
  version_minor = 1;
  keep_alive = true;
  header_count_ = 0;
  param_count_ = 0;
}

}  // namespace coring::http
