#include "http/launch.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "http/operations.hpp"
#include "http/server.hpp"

namespace coring::http {
namespace {

void take_limit_flags(cli& flags, server_limits& l) {
  if (auto v = flags.take_size("max-header-bytes")) l.max_header_bytes = *v;
  if (auto v = flags.take_number("max-headers", 1, 10'000)) l.max_headers = *v;
  if (auto v = flags.take_size("max-uri-bytes")) l.max_uri_bytes = *v;
  if (auto v = flags.take_size("max-body-bytes")) l.max_body_bytes = *v;
  if (auto v = flags.take_number("max-pipelined", 1, 1'000'000)) l.max_pipelined = *v;
  if (auto v = flags.take_size("max-output-bytes")) l.max_output_bytes = *v;
  if (auto v = flags.take_number("max-queued-receives", 1, 4096)) l.max_queued_receives = *v;
  // A zero connection timeout would close every connection at the next tick: refused.
  // (A zero drain timeout is meaningful: cancel in-flight work at once.)
  for (auto [name, field] :
       {std::pair{"header-timeout", &l.header_timeout}, std::pair{"idle-timeout", &l.idle_timeout},
        std::pair{"send-timeout", &l.send_timeout}}) {
    if (auto v = flags.take_duration_as<std::chrono::milliseconds>(name)) {
      if (v->count() <= 0) flags.fail(std::string("--") + name + " must be more than 0");
      *field = *v;
    }
  }
  if (auto v = flags.take_duration_as<std::chrono::milliseconds>("drain-timeout"))
    l.drain_timeout = *v;
}

std::string limit_flags_help(const server_limits& d) {
  auto size = [](std::size_t bytes) {
    if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + "m";
    if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + "k";
    return std::to_string(bytes);
  };
  auto duration = [](std::chrono::milliseconds ms) { return format_duration(ms); };
  return "  --max-header-bytes N     request line + headers (default " + size(d.max_header_bytes) +
         ") → 431\n" + "  --max-headers N          header fields (default " +
         std::to_string(d.max_headers) + ") → 431\n" +
         "  --max-uri-bytes N        request target (default " + size(d.max_uri_bytes) +
         ") → 414\n" + "  --max-body-bytes N       request body (default " +
         size(d.max_body_bytes) + ") → 413\n" +
         "  --max-pipelined N        requests answered per send (default " +
         std::to_string(d.max_pipelined) + ")\n" +
         "  --max-output-bytes N     pending output before reading pauses (default " +
         size(d.max_output_bytes) + ")\n" +
         "  --max-queued-receives N  receives a busy connection leaves unread before its\n"
         "                           receive pauses (default " +
         std::to_string(d.max_queued_receives) + ")\n" +
         "  --header-timeout D       first byte to complete request (default " +
         duration(d.header_timeout) + ") → 408\n" +
         "  --idle-timeout D         keep-alive idle time (default " + duration(d.idle_timeout) +
         ")\n" + "  --send-timeout D         a response send that makes no progress (default " +
         duration(d.send_timeout) + ") → close\n" +
         "  --drain-timeout D        on SIGINT/SIGTERM, let requests finish this long (default " +
         duration(d.drain_timeout) + ")\n";
}

void take_operations_flags(cli& flags, server_config& c) {
  if (auto v = flags.take_string("metrics-path")) {
    if (*v == "off") {
      c.metrics_path.clear();
    } else if (v->empty() || v->front() != '/') {
      flags.fail("--metrics-path takes a path starting with '/', or 'off'");
    } else {
      c.metrics_path = *v;
    }
  }
  if (auto v = flags.take_string("access-log")) {
    if (v->empty()) flags.fail("--access-log takes a file name, or '-' for stdout");
    c.access_log = *v;
  }
}

}  // namespace

void take_server_flags(cli& flags, server_config& c) {
  take_launch_flags(flags, c);
  take_limit_flags(flags, c.limits);
  if (auto v = flags.take_number("buffer-count", 1, 32768)) {
    if ((*v & (*v - 1)) != 0) flags.fail("--buffer-count must be a power of two");
    c.ring.buffer_count = static_cast<unsigned>(*v);
  }
  if (auto v = flags.take_size("buffer-size", 1, 1u << 20))
    c.ring.buffer_size = static_cast<unsigned>(*v);
  take_operations_flags(flags, c);
}

std::string server_flags_help(const server_config& d) {
  return launch_flags_help(d) + limit_flags_help(d.limits) +
         "  --buffer-count N         provided receive buffers per thread (default " +
         std::to_string(d.ring.buffer_count) + ")\n" +
         "  --buffer-size N          bytes per provided buffer (default " +
         std::to_string(d.ring.buffer_size) + ")\n" +
         "  --metrics-path PATH      Prometheus metrics on this path of the port (default " +
         (d.metrics_path.empty() ? std::string("off") : d.metrics_path) +
         "; 'off': none)\n"
         "  --access-log FILE        one line per request, appended to FILE ('-': stdout;\n"
         "                           default: none); SIGHUP reopens it\n";
}

void parse_server_command_line(int argc, char** argv, std::string_view description,
                               server_config& config) {
  const std::string_view path = argc > 0 ? argv[0] : "server";
  const std::string_view program = path.substr(path.rfind('/') + 1);
  cli flags(argc, argv,
            "usage: " + std::string(program) + " [--port " + std::to_string(config.port) +
                "] [--threads N] [options]\n" + std::string(description) + "\n\n" +
                server_flags_help(config));
  take_server_flags(flags, config);
  flags.finish();
}

namespace {

// One thread's server, until shutdown (or a broken listener).
task<void> serve_http(serving_thread& thread, const server_config* config, handler* h,
                      operations* ops, std::atomic<std::uint64_t>* requests) {
  int accept_error = 0;
  *requests += co_await ops->serve(thread.index(), *h, thread.accepting(), &accept_error);
  if (accept_error != 0) {
    // Without a listener this thread only drained its connections: stop the process
    // and exit non-zero, rather than live on unable to accept.
    thread.fail("accept on " + config->host + ":" + std::to_string(thread.accepting().port()) +
                " failed: " + std::strerror(accept_error));
  }
}

}  // namespace

int run_server(const server_config& config, const std::function<handler&(unsigned)>& make_handler) {
  if (const std::string refused = operations::check(config); !refused.empty()) {
    std::fprintf(stderr, "%s: error: %s\n", program_invocation_short_name, refused.c_str());
    return 2;
  }
  operations ops(config, config.thread_count());
  std::atomic<std::uint64_t> requests{0};
  runtime_stats totals;
  const int status = launch_threads(
      config,
      [&](serving_thread& thread) {
        return serve_http(thread, &config, &make_handler(thread.index()), &ops, &requests);
      },
      &totals);
  if (status == 0 && config.print_stats)
    print_stats(stderr, totals, requests.load(), process_cpu_micros());
  return status;
}

}  // namespace coring::http
