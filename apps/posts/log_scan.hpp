#pragma once
// log_scan: reads the records of a log image back, and tells a torn tail from
// corruption.
//
// Records must carry ids 1, 2, 3, ... in order. At the first record that is incomplete,
// fails its checksum or breaks the id sequence, the scan looks for any valid record
// with a larger id further on: if there is one, the damage is in the middle of the log
// (corruption); if not, it is the tail a crash left half-written (torn).

#include <cstdint>
#include <string_view>
#include <vector>

#include "post.hpp"

namespace posts {

struct log_scan {
  std::vector<post> posts;      // the valid prefix
  std::uint64_t valid_end = 0;  // its length in bytes
  bool corrupt = false;         // damage at valid_end with valid records after it
};

log_scan scan_log(std::string_view image);

}  // namespace posts
