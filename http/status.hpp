#pragma once
// Status codes and their reason phrases.

#include <string_view>

namespace coring::http {

std::string_view reason_phrase(int status) noexcept;

}  // namespace coring::http
