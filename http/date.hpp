#pragma once
// The Date header value (IMF-fixdate, RFC 9110 §5.6.7), rebuilt at most once a second
// per thread from the coarse clock — formatting a date per response would cost more
// than the rest of a small response.

#include <string_view>

namespace coring::http {

// "Mon, 23 Nov 2026 14:44:17 GMT" (always 29 characters).
std::string_view http_date() noexcept;

// Formats any time (seconds since the epoch) as IMF-fixdate into out[29].
void format_http_date(long long epoch_seconds, char* out) noexcept;

}  // namespace coring::http
