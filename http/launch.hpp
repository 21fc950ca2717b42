#pragma once
// run_server: the whole life of an HTTP app — one runtime, listener and server per
// thread (SO_REUSEPORT), "listening on HOST:PORT" on stdout once every thread is
// accepting, graceful shutdown on SIGINT/SIGTERM, and --stats output at exit.

#include <cstdint>
#include <functional>
#include <string>

#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "http/cli.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"

namespace coring::http {

struct server_config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;  // 0: any free port (printed)
  unsigned threads = 0;       // 0: one per CPU
  server_limits limits;
  runtime::options ring;
  listen_options listen;
  bool print_stats = false;
  // Operations (http/metrics.hpp, http/access_log.hpp).
  std::string name = "coring";            // metric name prefix: <name>_requests_total
  std::string metrics_path = "/metrics";  // served on the app's port; empty: none
  std::string access_log;                 // file, "-" for stdout; empty: no access log
  // App-specific metric samples appended to the exposition (on the scraping thread).
  std::function<void(std::string& out)> extra_metrics;
};

// The flags every server app takes (--port, --threads, --host, --stats, --metrics-path,
// --access-log and each limit).
void take_server_flags(cli& flags, server_config& config);
// Their help text, for an app's usage string.
std::string server_flags_help();

// Runs until shutdown; make_handler(thread) is called once on each thread.
// Returns the process exit code (0 after a graceful shutdown).
int run_server(const server_config& config,
               const std::function<handler&(unsigned thread)>& make_handler);

}  // namespace coring::http
