#pragma once
// RFC 9110 / 9112 rules the request parser applies once a request's header block is in
// (llhttp checks the syntax; these are the semantic MUSTs it leaves to its user). Each
// takes the whole header block at once, so the answer never depends on how the bytes
// were split across receives.

#include <array>
#include <cstddef>
#include <string_view>

#include "http/request.hpp"

namespace coring::http::conformance {

struct verdict {
  int status = 0;  // 0: the request may go on
  const char* reason = "";
};

// RFC 9110 §5.5: leading and trailing whitespace is not part of a field value (llhttp
// drops the leading run only).
void trim_field_values(header_field* fields, std::size_t count) noexcept;

// The semantic checks of a complete header block, in one pass over its fields (every
// request pays for this pass, so the fields are told apart by name length before any
// case-folding comparison):
// - RFC 9112 §3.2: an HTTP/1.1 request without Host, and any request with two Host
//   fields or an invalid Host value, is a 400;
// - RFC 9112 §6.1: a transfer coding other than chunked (gzip, deflate, ...) is not
//   implemented here: 501 rather than a body handed over still encoded.
// The Host verdict wins when both fail. `expect_continue`: the first Expect field asks
// for 100-continue.
struct header_check {
  verdict result;
  bool expect_continue = false;
};
header_check check_headers(const request& r) noexcept;

// Sets r.path and r.query from r.target. An absolute-form target
// ("http://host:port/path?q", RFC 9112 §3.2.2) is routed by its path ("/" when empty).
void split_target(request& r) noexcept;
// The "/" an absolute-form target without a path is routed by: static, not in the input,
// and recognised by its address (an array: one object in every translation unit, where
// a string literal's address may differ between them).
inline constexpr char root_path_bytes[] = "/";
inline constexpr std::string_view root_path{root_path_bytes, 1};

// After llhttp refused a method at `error_at`: true when every byte up to and including
// it is a token character (RFC 9110 §5.6.2), i.e. a well-formed method we do not know
// (501), not garbage (400). Decided on the bytes up to the error only, so the same
// bytes get the same answer however they were split.
bool is_method_token_prefix(std::string_view request_start, std::size_t error_at) noexcept;

// A byte class as a table: ASCII letters and digits, plus the bytes of `extra`. A table
// lookup per byte, where the per-request checks (header names, Host) would otherwise
// search a punctuation list for every byte.
constexpr std::array<bool, 256> alnum_and(std::string_view extra) noexcept {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : extra) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// RFC 9110 §5.6.2 tchar. Inline: the parser tests every byte of every header name.
inline constexpr std::array<bool, 256> tchar_table = alnum_and("!#$%&'*+-.^_`|~");
inline bool is_tchar(unsigned char c) noexcept { return tchar_table[c]; }

}  // namespace coring::http::conformance
