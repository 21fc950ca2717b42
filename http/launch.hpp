#pragma once
// run_server: the whole life of an HTTP app — core's launch_threads (one runtime,
// listener and server per thread, "listening on HOST:PORT", graceful shutdown on
// SIGINT/SIGTERM) with an http::server on each thread, and --stats output at exit.

#include <functional>
#include <string>
#include <string_view>

#include "core/cli.hpp"
#include "core/launch.hpp"
#include "http/handler.hpp"
#include "http/limits.hpp"

namespace coring::http {

// Apps spell the flag parser http::cli; it is core's.
using coring::cli;

struct server_config : launch_config {
  server_limits limits;
  // Operations (http/metrics.hpp, http/access_log.hpp).
  std::string name = "coring";            // metric name prefix: <name>_requests_total
  std::string metrics_path = "/metrics";  // served on the app's port; empty: none
  std::string access_log;                 // file, "-" for stdout; empty: no access log
  // App-specific metric samples appended to the exposition (on the scraping thread).
  std::function<void(std::string& out)> extra_metrics;
};

// The flags every HTTP server app takes: core's launch flags (--host, --port,
// --threads, --stats, ...), each limit, --drain-timeout, --buffer-count, --buffer-size,
// --metrics-path and --access-log.
void take_server_flags(cli& flags, server_config& config);
// Their help text, showing `defaults`.
std::string server_flags_help(const server_config& defaults = {});
// The whole command line of an app with no flags of its own: --help shows the usage
// line, `description`, then the server flags with `config`'s values as defaults.
void parse_server_command_line(int argc, char** argv, std::string_view description,
                               server_config& config);

// Runs until shutdown; make_handler(thread) is called once on each thread.
// Returns the process exit code (0 after a graceful shutdown, 1 after an error).
int run_server(const server_config& config,
               const std::function<handler&(unsigned thread)>& make_handler);

}  // namespace coring::http
