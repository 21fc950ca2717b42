#include "log_record.hpp"

#include <simdjson.h>
#include <zlib.h>

#include <cstring>

namespace posts {
namespace {

template <class T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // the log is little-endian, as the hosts we run on
  out.append(bytes, sizeof(T));
}

template <class T>
T get(const char* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

std::uint32_t checksum(std::string_view payload) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
}

// What validate_post lets through, whatever the limits: UTF-8 fields, a title and an
// author. A record that breaks this was never written by the server, even with a good
// checksum, and would be served as invalid JSON.
bool valid_content(const post& p) {
  const auto utf8 = [](const std::string& s) {
    return simdjson::validate_utf8(s.data(), s.size());
  };
  return !p.title.empty() && !p.author.empty() && utf8(p.title) && utf8(p.author) && utf8(p.body);
}

}  // namespace

void append_record(std::string& out, const post& p) {
  const std::size_t payload =
      payload_fixed_bytes + p.title.size() + p.author.size() + p.body.size();
  const std::size_t start = out.size();
  put<std::uint32_t>(out, static_cast<std::uint32_t>(payload));
  put<std::uint32_t>(out, 0);  // checksum, filled in below
  put<std::uint64_t>(out, p.id);
  put<std::int64_t>(out, p.created_ms);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(p.title.size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(p.author.size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(p.body.size()));
  out += p.title;
  out += p.author;
  out += p.body;
  const std::uint32_t sum =
      checksum(std::string_view(out).substr(start + record_header_bytes, payload));
  std::memcpy(out.data() + start + 4, &sum, sizeof sum);
}

decoded_record decode_record(std::string_view bytes) {
  decoded_record r;
  if (bytes.size() < record_header_bytes) {
    r.status = record_status::incomplete;
    return r;
  }
  const auto length = get<std::uint32_t>(bytes.data());
  if (length < payload_fixed_bytes || length > max_payload_bytes) return r;
  if (bytes.size() - record_header_bytes < length) {
    r.status = record_status::incomplete;
    return r;
  }
  const std::string_view payload = bytes.substr(record_header_bytes, length);
  if (checksum(payload) != get<std::uint32_t>(bytes.data() + 4)) return r;
  const char* p = payload.data();
  const std::uint64_t title = get<std::uint32_t>(p + 16);
  const std::uint64_t author = get<std::uint32_t>(p + 20);
  const std::uint64_t body = get<std::uint32_t>(p + 24);
  if (payload_fixed_bytes + title + author + body != length) return r;
  r.value.id = get<std::uint64_t>(p);
  r.value.created_ms = get<std::int64_t>(p + 8);
  p += payload_fixed_bytes;
  r.value.title.assign(p, title);
  r.value.author.assign(p + title, author);
  r.value.body.assign(p + title + author, body);
  if (!valid_content(r.value)) return r;
  r.size = record_header_bytes + length;
  r.status = record_status::ok;
  return r;
}

}  // namespace posts
