#pragma once
// log_file: opens the data directory's log at start-up, before any loop runs (plain
// blocking calls are fine here): creates the directory, takes an exclusive lock (two
// servers on one log would interleave records), replays the records, truncates a torn
// tail with one warning, refuses a corrupt log unless repairing, and seeds an empty one.

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "post.hpp"

namespace posts {

class log_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct log_open_options {
  std::string directory = "./posts-data";
  bool repair = false;            // truncate at a corrupt record instead of refusing
  std::size_t seed_posts = 1000;  // written when the log is empty
};

struct opened_log {
  int fd = -1;  // read-write, locked; closed by the process exit
  std::string path;
  std::uint64_t end = 0;  // bytes of valid records: where the next one goes
  std::vector<post> posts;
};

// Throws log_error with a message naming the file (and offset) on failure.
opened_log open_log(const log_open_options& options, std::FILE* warnings);

}  // namespace posts
