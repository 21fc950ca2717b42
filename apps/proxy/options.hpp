#pragma once
// proxy options: the command line, parsed and validated before anything starts.
// Flags and their value syntax are core's (core/cli.hpp); a bad one exits with status 2.

#include <chrono>
#include <cstddef>
#include <vector>

#include "core/address.hpp"
#include "core/launch.hpp"

namespace proxy {

// automatic: copy, and splice a direction's bulky bursts (auto_pump.hpp).
enum class pump_mode { splice, copy, automatic };
// How splice mode moves bytes: IORING_OP_SPLICE (run by an io-wq worker), or
// IORING_OP_POLL_ADD for readiness and then a non-blocking splice(2) on this thread.
enum class splice_engine { uring, poll };

struct options {
  options();

  coring::launch_config launch;  // --host, --port, --threads, --stats, ... (core/launch.hpp)
  std::vector<coring::socket_address> upstreams;
  pump_mode mode = pump_mode::automatic;
  splice_engine engine = splice_engine::poll;
  bool push_batching = true;        // poll engine: see turn_cork.hpp
  std::size_t buffer = 32768;       // copy mode: bytes per recv, per direction
  std::size_t pipe_size = 65536;    // splice mode: F_SETPIPE_SZ (see README: measured)
  std::size_t auto_receive = 4096;  // auto mode: bytes per copy-path receive
  std::size_t auto_bulk = 24576;    // auto mode: bytes queued behind a full receive to splice
  std::size_t max_pipes = 0;        // per process; 0: from /proc/sys/fs/pipe-user-pages-soft
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(2);
  std::chrono::nanoseconds idle_timeout = std::chrono::seconds(300);
  // A direction holding bytes its destination takes none of for this long closes the
  // session: a peer that stops reading cannot pin buffers until the idle timeout.
  std::chrono::nanoseconds send_timeout = std::chrono::seconds(30);
  std::chrono::nanoseconds drain_timeout = std::chrono::seconds(3);
  std::size_t max_conns = 0;                  // 0: unlimited
  std::optional<std::uint16_t> metrics_port;  // Prometheus /metrics here (0: any free port)
};

// Parses and validates the command line; prints usage and exits for --help and
// --version, and exits with status 2 on anything wrong.
options parse_options(int argc, char** argv);

}  // namespace proxy
