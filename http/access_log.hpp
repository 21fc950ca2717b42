#pragma once
// access_log: one line per answered request, written through the ring in batches.
//
// One per server thread, each with its own O_APPEND descriptor on the file (or stdout
// for "-"). A line is formatted into the thread's pending buffer (no allocation once
// the buffer has grown); a writer task hands the whole buffer to one IORING_OP_WRITE
// while the next lines collect in a second buffer, so the loop never waits for the
// disk and a busy thread writes big batches. Lines of one connection are in the order
// its requests were answered (pipelined ones included). If the disk falls so far behind
// that max_pending bytes wait, further lines are dropped and counted, never blocking.
//
// Line format (fields separated by one space; target escaped: '"', '\\', bytes outside
// printable ASCII as \xHH):
//   2026-01-31T12:34:56.789Z 127.0.0.1:53412 "GET /v1/user HTTP/1.1" 200 3851 17
//   time (UTC, ms)           peer            request line              status bytes µs
// bytes: the response on the wire (status line, headers, body); µs: handler time.
// A request the HTTP layer rejected before any handler logs its method (or "-") and
// "-" as the target: "GET - HTTP/1.1" 431.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/completion.hpp"
#include "core/event.hpp"
#include "core/peer_name.hpp"
#include "core/task.hpp"

namespace coring::http {

class access_log {
 public:
  static constexpr std::size_t max_pending = 4u << 20;

  // Opens `path` for appending ("-": stdout) on the calling thread's behalf; throws
  // std::system_error naming the file if it cannot.
  explicit access_log(std::string path);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  struct entry {
    const peer_address* peer;
    std::string_view method;
    std::string_view target;  // empty: "-"
    unsigned version_minor;
    int status;
    std::uint64_t bytes;
    std::uint64_t micros;
  };
  void append(const entry& e);

  // Writes batches until close(); then writes what is left and returns. Run it on the
  // thread that appends.
  task<void> run();
  // No more lines: run() finishes once the last batch is written.
  void close();
  // Reopens the file before the next batch (logrotate moved it away). On this thread;
  // from another, post reopen_notice() with post_message (core/message.hpp).
  void reopen() noexcept;
  completion* reopen_notice() noexcept { return &reopen_notice_; }

  std::uint64_t dropped() const noexcept { return dropped_; }

 private:
  struct notice : completion {
    access_log* owner;
  };
  static void on_reopen_notice(completion* self, int res, std::uint32_t flags) noexcept;
  task<void> write_batch();
  task<void> reopen_file();
  void append_time();

  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  std::string pending_;
  std::string writing_;
  event wake_;
  bool closing_ = false;
  bool reopen_requested_ = false;
  bool write_failed_ = false;  // reported once
  std::uint64_t dropped_ = 0;
  std::int64_t cached_second_ = -1;
  char second_text_[24] = {};  // "2026-01-31T12:34:56"
  notice reopen_notice_{};
};

}  // namespace coring::http
