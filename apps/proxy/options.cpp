#include "apps/proxy/options.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace proxy {

const char* const usage_text =
    "usage: proxy --upstream HOST:PORT[,HOST:PORT...] [options]\n"
    "\n"
    "A TCP proxy: every client connection is paired with a connection to an upstream\n"
    "(round-robin, skipping one that just failed) and bytes flow both ways until both\n"
    "sides are done.\n"
    "\n"
    "  --port N                 listen port (default 20000; 0: any free port)\n"
    "  --bind ADDR              listen address (default 127.0.0.1)\n"
    "  --upstream LIST          HOST:PORT[,HOST:PORT...] (numeric addresses)\n"
    "  --mode splice|copy       splice: socket -> pipe -> socket in the kernel (default);\n"
    "                           copy: recv into a user-space buffer and send it on\n"
    "  --engine poll|uring      splice engine: poll = IORING_OP_POLL_ADD then splice(2)\n"
    "                           with SPLICE_F_NONBLOCK (default); uring = IORING_OP_SPLICE\n"
    "  --push-batching on|off   poll engine: while a loop turn has more work, hold small\n"
    "                           splices (SPLICE_F_MORE) and push them together with one\n"
    "                           io_uring setsockopt each (default on; Linux 6.7+)\n"
    "  --buffer BYTES           copy-mode buffer per direction (default 32768)\n"
    "  --pipe-size BYTES        splice-mode pipe size, F_SETPIPE_SZ (default 65536)\n"
    "  --max-pipes N            pipes per process (default: what pipe-user-pages-soft\n"
    "                           allows); a session that finds none left is copied\n"
    "  --connect-timeout DUR    upstream connect timeout (default 2s)\n"
    "  --idle-timeout DUR       close a connection idle both ways this long (default 300s)\n"
    "  --send-timeout DUR       close a session whose peer takes none of the bytes waiting\n"
    "                           for it this long (default 30s)\n"
    "  --shutdown-timeout DUR   on SIGINT/SIGTERM, let sessions finish this long (default 3s)\n"
    "  --max-conns N            close new clients at once above N sessions (default: no limit)\n"
    "  --threads N              one runtime per thread (default: one per CPU)\n"
    "  --idle-batch N           after a busy stretch, sleep until N completions are\n"
    "                           ready (default 32; 0: wake at the first one)\n"
    "  --idle-batch-us N        ... or until N µs have passed with one (default 200)\n"
    "  --direct-accept          accept clients into io_uring direct descriptors\n"
    "                           (--engine uring or --mode copy only)\n"
    "  --stats                  print counters on exit\n"
    "  --help                   this text\n"
    "\n"
    "DUR is a number with a unit: 300ms, 2s, 1m, 100us (a bare number is seconds).\n"
    "With --port 0 the first line on stdout is \"listening on ADDR:PORT\".\n";

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  double value = 0;
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [rest, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || rest == begin || !(value >= 0) || !std::isfinite(value))
    return std::nullopt;
  std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1e9;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "us") {
    scale = 1e3;
  } else if (unit == "ns") {
    scale = 1;
  } else if (unit == "m") {
    scale = 60e9;
  } else if (unit == "h") {
    scale = 3600e9;
  } else {
    return std::nullopt;
  }
  const double ns = value * scale;
  if (ns > 1e18) return std::nullopt;
  return std::chrono::nanoseconds(static_cast<long long>(ns));
}

namespace {

bool parse_size(std::string_view text, std::size_t min, std::size_t max, std::size_t& out) {
  std::size_t value = 0;
  auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || rest != text.data() + text.size() || value < min || value > max) {
    return false;
  }
  out = value;
  return true;
}

bool parse_upstreams(std::string_view list, std::vector<coring::socket_address>& out,
                     std::string& error) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    try {
      out.push_back(coring::socket_address::parse(item));
      if (out.back().port() == 0) throw std::invalid_argument("port 0");
    } catch (const std::exception& e) {
      error = "bad --upstream '" + std::string(item) + "': " + e.what();
      return false;
    }
  }
  if (out.empty()) error = "--upstream needs at least one HOST:PORT";
  return !out.empty();
}

}  // namespace

parse_outcome parse_options(int argc, char** argv) {
  parse_outcome r;
  options& o = r.opts;
  auto fail = [&](std::string message) {
    r.error = std::move(message);
    return r;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    std::string_view value;
    if (flag == "--help" || flag == "-h") {
      r.help = true;
      return r;
    }
    if (flag == "--stats") {
      o.stats = true;
      continue;
    }
    if (flag == "--direct-accept") {
      o.direct_accept = true;
      continue;
    }
    // Every other flag takes a value: "--flag value" or "--flag=value".
    if (const std::size_t eq = flag.find('=');
        flag.starts_with("--") && eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return fail("missing value for " + std::string(flag));
    }
    const std::string bad = "bad value for " + std::string(flag) + ": '" + std::string(value) + "'";
    std::size_t n = 0;
    if (flag == "--port") {
      if (!parse_size(value, 0, 65535, n)) return fail(bad);
      o.port = static_cast<std::uint16_t>(n);
    } else if (flag == "--bind") {
      o.bind = value;
      try {
        (void)coring::socket_address::parse(o.bind, 0);
      } catch (const std::exception& e) {
        return fail(bad + ": " + e.what());
      }
    } else if (flag == "--upstream") {
      std::string error;
      if (!parse_upstreams(value, o.upstreams, error)) return fail(error);
    } else if (flag == "--mode") {
      if (value == "splice") {
        o.mode = pump_mode::splice;
      } else if (value == "copy") {
        o.mode = pump_mode::copy;
      } else {
        return fail(bad + " (splice or copy)");
      }
    } else if (flag == "--engine") {
      if (value == "uring") {
        o.engine = splice_engine::uring;
      } else if (value == "poll") {
        o.engine = splice_engine::poll;
      } else {
        return fail(bad + " (uring or poll)");
      }
    } else if (flag == "--push-batching") {
      if (value == "on") {
        o.push_batching = true;
      } else if (value == "off") {
        o.push_batching = false;
      } else {
        return fail(bad + " (on or off)");
      }
    } else if (flag == "--buffer") {
      if (!parse_size(value, 1, 1u << 30, o.buffer)) return fail(bad + " (1 .. 1 GiB)");
    } else if (flag == "--pipe-size") {
      if (!parse_size(value, 4096, 1u << 30, o.pipe_size)) return fail(bad + " (4096 .. 1 GiB)");
    } else if (flag == "--max-pipes") {
      if (!parse_size(value, 0, 1u << 24, o.max_pipes)) return fail(bad);
    } else if (flag == "--max-conns") {
      if (!parse_size(value, 0, 1u << 30, o.max_conns)) return fail(bad);
    } else if (flag == "--idle-batch") {
      if (!parse_size(value, 0, 4096, n)) return fail(bad + " (0 .. 4096)");
      o.idle_batch.completions = static_cast<unsigned>(n);
    } else if (flag == "--idle-batch-us") {
      if (!parse_size(value, 1, 10'000, n)) return fail(bad + " (1 .. 10000)");
      o.idle_batch.max_delay = std::chrono::microseconds(n);
    } else if (flag == "--threads") {
      if (!parse_size(value, 0, 1024, n)) return fail(bad + " (0 .. 1024)");
      o.threads = static_cast<unsigned>(n);
    } else if (flag == "--connect-timeout" || flag == "--idle-timeout" ||
               flag == "--send-timeout" || flag == "--shutdown-timeout") {
      auto d = parse_duration(value);
      if (!d || d->count() == 0) return fail(bad + " (e.g. 2s, 300ms)");
      if (flag == "--connect-timeout") o.connect_timeout = *d;
      if (flag == "--idle-timeout") o.idle_timeout = *d;
      if (flag == "--send-timeout") o.send_timeout = *d;
      if (flag == "--shutdown-timeout") o.shutdown_timeout = *d;
    } else {
      return fail("unknown flag " + std::string(flag));
    }
  }
  if (o.upstreams.empty()) return fail("--upstream HOST:PORT is required");
  if (o.direct_accept && o.mode == pump_mode::splice && o.engine == splice_engine::poll) {
    return fail("--direct-accept needs --engine uring or --mode copy (splice(2) needs plain fds)");
  }
  return r;
}

}  // namespace proxy
