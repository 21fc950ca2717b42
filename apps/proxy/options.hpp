#pragma once
// proxy options: the command line, parsed and validated before anything starts.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "core/idle_batch.hpp"

namespace proxy {

enum class pump_mode { splice, copy };
// How splice mode moves bytes: IORING_OP_SPLICE (run by an io-wq worker), or
// IORING_OP_POLL_ADD for readiness and then a non-blocking splice(2) on this thread.
enum class splice_engine { uring, poll };

struct options {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 20000;  // 0: pick a free port and print it
  std::vector<coring::socket_address> upstreams;
  pump_mode mode = pump_mode::splice;
  splice_engine engine = splice_engine::poll;
  bool push_batching = true;      // poll engine: see push_batch.hpp
  std::size_t buffer = 32768;     // copy mode: bytes per recv, per direction
  std::size_t pipe_size = 65536;  // splice mode: F_SETPIPE_SZ (see README: measured)
  std::size_t max_pipes = 0;      // per process; 0: from /proc/sys/fs/pipe-user-pages-soft
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(2);
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(300);
  // A direction holding bytes its destination takes none of for this long closes the
  // session: a peer that stops reading cannot pin buffers until the idle timeout.
  std::chrono::nanoseconds send_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds shutdown_timeout = std::chrono::seconds(3);
  std::size_t max_conns = 0;   // 0: unlimited
  bool direct_accept = false;  // accept into direct descriptors (not with the poll engine)
  unsigned threads = 0;        // 0: one per CPU
  coring::idle_batch_options idle_batch{};
  bool stats = false;
};

// "2s", "300ms", "1.5s", "100us", "1m"; a bare number means seconds.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

struct parse_outcome {
  options opts;
  bool help = false;
  std::string error;  // non-empty: print it and exit 2
};

parse_outcome parse_options(int argc, char** argv);

extern const char* const usage_text;

}  // namespace proxy
