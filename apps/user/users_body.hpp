#pragma once
// users_body: the /v1/user response body — users.json with the first object's
// "createdAt" replaced by the current UTC time ("2026-11-23T15:04:05.123Z", 24 chars,
// the fixture's own format, so the length stays that of the file).
//
// Only the prefix up to and including the timestamp changes; it is rebuilt at most
// once per millisecond per thread. The rest of the file is never copied per request:
// the response references it (an iovec into the embedded bytes).

#include <string_view>

namespace user_app {

class users_body {
 public:
  // Finds the timestamp in the embedded users.json; throws if the fixture has no
  // 24-character "createdAt" in its first object.
  users_body();

  // The dynamic head: fixture bytes up to and including the current timestamp.
  // Valid until the next call on this thread.
  std::string_view prefix() const noexcept;
  // The immutable tail (static storage: safe to reference until the process ends).
  std::string_view rest() const noexcept { return rest_; }
  std::size_t size() const noexcept { return prefix_length_ + rest_.size(); }

 private:
  std::string_view head_;  // fixture bytes before the timestamp
  std::string_view rest_;
  std::size_t prefix_length_ = 0;
};

// Formats epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[24].
void format_iso_millis(long long epoch_ms, char* out) noexcept;

}  // namespace user_app
