#include "apps/proxy/options.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

#include "core/cli.hpp"

namespace proxy {
namespace {

std::string usage(const options& defaults) {
  return "usage: proxy --upstream HOST:PORT[,HOST:PORT...] [options]\n"
         "\n"
         "A TCP proxy: every client connection is paired with a connection to an upstream\n"
         "(round-robin, skipping one that just failed) and bytes flow both ways until both\n"
         "sides are done.\n"
         "\n"
         "  --upstream LIST          HOST:PORT[,HOST:PORT...] (numeric addresses)\n"
         "  --mode auto|splice|copy  auto: copy, and splice a direction's bulky bursts (default);\n"
         "                           splice: socket -> pipe -> socket in the kernel;\n"
         "                           copy: recv into a user-space buffer and send it on\n"
         "  --auto-receive SIZE      auto mode: bytes per receive on the copy path (default 4k)\n"
         "  --auto-bulk SIZE         auto mode: a full receive with at least this many bytes\n"
         "                           still queued splices the rest of the burst (default 24k)\n"
         "  --engine poll|uring      splice engine: poll = IORING_OP_POLL_ADD then splice(2)\n"
         "                           with SPLICE_F_NONBLOCK (default; auto mode's bursts always\n"
         "                           use it); uring = IORING_OP_SPLICE\n"
         "  --push-batching on|off   poll engine: while a loop turn has more work, hold small\n"
         "                           splices (SPLICE_F_MORE) and push them together with one\n"
         "                           io_uring setsockopt each (default on; Linux 6.7+)\n"
         "  --buffer SIZE            copy-mode buffer per direction (default 32k)\n"
         "  --pipe-size SIZE         splice-mode pipe size, F_SETPIPE_SZ (default 64k)\n"
         "  --max-pipes N            pipes per process (default: what pipe-user-pages-soft\n"
         "                           allows); a session that finds none left is copied\n"
         "  --connect-timeout D      upstream connect timeout (default 2s)\n"
         "  --idle-timeout D         close a connection idle both ways this long (default 300s)\n"
         "  --send-timeout D         close a session whose peer takes none of the bytes waiting\n"
         "                           for it this long (default 30s)\n"
         "  --drain-timeout D        on SIGINT/SIGTERM, let sessions finish this long (default "
         "3s)\n"
         "  --max-conns N            close new clients at once above N sessions (default: no "
         "limit)\n"
         "  --direct-accept          accept clients into io_uring direct descriptors\n"
         "                           (--mode copy, or --mode splice --engine uring, only)\n"
         "  --metrics-port N         serve Prometheus metrics on GET /metrics of this port\n"
         "                           (same address as --host; 0: any free port, printed as\n"
         "                           \"metrics on ADDR:PORT\" after the listening line)\n" +
         coring::launch_flags_help(defaults.launch) +
         "\nWith --port 0 the first line on stdout is \"listening on ADDR:PORT ...\".\n";
}

std::vector<coring::socket_address> parse_upstreams(coring::cli& flags, std::string_view list) {
  std::vector<coring::socket_address> out;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    try {
      out.push_back(coring::socket_address::parse(item));
      if (out.back().port() == 0) throw std::invalid_argument("port 0");
    } catch (const std::exception& e) {
      flags.fail("bad --upstream '" + std::string(item) + "': " + e.what());
    }
  }
  if (out.empty()) flags.fail("--upstream needs at least one HOST:PORT");
  return out;
}

void take_timeouts(coring::cli& flags, options& o) {
  const std::chrono::nanoseconds positive(1);
  if (auto d = flags.take_duration("connect-timeout", positive)) o.connect_timeout = *d;
  if (auto d = flags.take_duration("idle-timeout", positive)) o.idle_timeout = *d;
  if (auto d = flags.take_duration("send-timeout", positive)) o.send_timeout = *d;
  if (auto d = flags.take_duration("drain-timeout", positive)) o.drain_timeout = *d;
}

}  // namespace

options::options() {
  launch.host = "127.0.0.1";
  launch.port = 20000;
  launch.ring.buffer_count = 0;              // no multishot recv here: no provided buffers
  launch.listen.direct_descriptors = false;  // splice(2) needs plain fds
}

options parse_options(int argc, char** argv) {
  options o;
  coring::cli flags(argc, argv, usage(o));
  coring::take_launch_flags(flags, o.launch);
  if (auto list = flags.take_string("upstream")) o.upstreams = parse_upstreams(flags, *list);
  if (auto i = flags.take_choice("mode", {"splice", "copy", "auto"})) o.mode = pump_mode(*i);
  if (auto i = flags.take_choice("engine", {"uring", "poll"})) o.engine = splice_engine(*i);
  if (auto i = flags.take_choice("push-batching", {"on", "off"})) o.push_batching = *i == 0;
  if (auto n = flags.take_size("buffer", 1, 1u << 30)) o.buffer = *n;
  if (auto n = flags.take_size("pipe-size", 4096, 1u << 30)) o.pipe_size = *n;
  // Each direction's auto buffer holds both: bounded so that a session's stays modest.
  if (auto n = flags.take_size("auto-receive", 1, 1u << 24)) o.auto_receive = *n;
  if (auto n = flags.take_size("auto-bulk", 1, 1u << 24)) o.auto_bulk = *n;
  if (auto n = flags.take_number("metrics-port", 0, 65535))
    o.metrics_port = static_cast<std::uint16_t>(*n);
  if (auto n = flags.take_number("max-pipes", 0, 1u << 24)) o.max_pipes = *n;
  if (auto n = flags.take_number("max-conns", 0, 1u << 30)) o.max_conns = *n;
  take_timeouts(flags, o);
  if (flags.take_switch("direct-accept")) o.launch.listen.direct_descriptors = true;
  flags.finish();
  // No multishot recv in the proxy, so no provided buffers — but for the HTTP server of
  // --metrics-port (a few scrapes at a time).
  if (o.metrics_port) o.launch.ring.buffer_count = 64;
  if (o.upstreams.empty()) flags.fail("--upstream HOST:PORT is required");
  const bool splices_itself = o.mode == pump_mode::automatic ||
                              (o.mode == pump_mode::splice && o.engine == splice_engine::poll);
  if (o.launch.listen.direct_descriptors && splices_itself) {
    flags.fail(
        "--direct-accept needs --mode copy or --mode splice --engine uring (splice(2) needs "
        "plain fds)");
  }
  return o;
}

}  // namespace proxy
