#include "log_scan.hpp"

#include "log_record.hpp"

namespace posts {
namespace {

// Is there a valid record with an id above `last_id` anywhere after `from`?
bool valid_record_after(std::string_view image, std::size_t from, std::uint64_t last_id) {
  for (std::size_t at = from + 1; at + record_header_bytes <= image.size(); ++at) {
    const decoded_record r = decode_record(image.substr(at));
    if (r.status == record_status::ok && r.value.id > last_id) return true;
  }
  return false;
}

}  // namespace

log_scan scan_log(std::string_view image) {
  log_scan scan;
  std::size_t at = 0;
  while (at < image.size()) {
    decoded_record r = decode_record(image.substr(at));
    if (r.status != record_status::ok || r.value.id != scan.posts.size() + 1) break;
    at += r.size;
    scan.posts.push_back(std::move(r.value));
  }
  scan.valid_end = at;
  if (at < image.size()) scan.corrupt = valid_record_after(image, at, scan.posts.size());
  return scan;
}

}  // namespace posts
