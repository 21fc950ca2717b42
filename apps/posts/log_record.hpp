#pragma once
// log_record: one post as a record of the append-only log (see README.md, "Log format").
//
//   u32 payload length | u32 crc32(payload) (zlib) | payload
//   payload = u64 id | i64 createdAt ms | u32 title bytes | u32 author bytes |
//             u32 body bytes | title | author | body
// Integers are little-endian.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "post.hpp"

namespace posts {

constexpr std::size_t record_header_bytes = 8;
constexpr std::size_t payload_fixed_bytes = 28;
// Larger declared payloads are damage, not posts (the field limits are far below).
constexpr std::uint32_t max_payload_bytes = 64u << 20;

void append_record(std::string& out, const post& p);

enum class record_status { ok, incomplete, bad };
struct decoded_record {
  record_status status = record_status::bad;
  std::size_t size = 0;  // header + payload, when ok
  post value;
};
// Decodes the record at the start of `bytes`: incomplete when they end inside it,
// bad when its length, checksum or layout is wrong, or its post is one validation
// refuses whatever the limits (a field not UTF-8, an empty title or author).
decoded_record decode_record(std::string_view bytes);

}  // namespace posts
