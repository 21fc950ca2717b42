#include "http/launch.hpp"

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "core/message.hpp"
#include "core/threads.hpp"
#include "http/server.hpp"

namespace coring::http {
namespace {

struct launch_state {
  const server_config* config;
  const std::function<handler&(unsigned)>* make_handler;
  unsigned threads;
  std::atomic<int> bound_port{-1};  // -1: not yet; -2: thread 0 failed
  std::atomic<unsigned> listening{0};
  std::mutex mutex;  // guards what follows
  runtime_stats totals;
  std::uint64_t requests = 0;
  std::string error;
};

task<void> serve_thread(launch_state* st, unsigned index) {
  const server_config& config = *st->config;
  std::uint16_t port = config.port;
  listen_options listen = config.listen;
  if (index > 0) {
    // Thread 0 claims the port (refused if anybody holds it); the others join its
    // SO_REUSEPORT group afterwards — on its port, which may have been ephemeral.
    while (st->bound_port.load() == -1) std::this_thread::yield();
    if (st->bound_port.load() < 0) co_return;
    port = static_cast<std::uint16_t>(st->bound_port.load());
    listen.claim_port = false;
  }
  std::optional<listener> l;
  try {
    l.emplace(socket_address::parse(config.host, port), listen);
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(st->mutex);
      if (st->error.empty()) st->error = e.what();
    }
    if (index == 0) st->bound_port = -2;
    shut_down_all_threads();
    co_return;
  }
  if (index == 0) st->bound_port = l->port();

  server srv((*st->make_handler)(index), config.limits);
  if (++st->listening == st->threads) {
    std::printf("listening on %s:%u (%u thread%s)\n", config.host.c_str(), l->port(), st->threads,
                st->threads == 1 ? "" : "s");
    std::fflush(stdout);
  }
  co_await srv.serve(*l);
  if (srv.accept_error() != 0) {
    // Without a listener this thread only drained its connections: stop the process
    // (every thread) and exit non-zero, rather than live on unable to accept.
    {
      std::lock_guard lock(st->mutex);
      if (st->error.empty()) {
        st->error = "accept on " + config.host + ":" + std::to_string(l->port()) +
                    " failed: " + std::strerror(srv.accept_error());
      }
    }
    shut_down_all_threads();
  }

  std::lock_guard lock(st->mutex);
  st->totals += runtime::current().stats();
  st->requests += srv.stats().requests;
}

}  // namespace

void take_server_flags(cli& flags, server_config& c) {
  if (auto v = flags.take_string("host")) c.host = *v;
  if (auto v = flags.take_number("port", 0, 65535)) c.port = static_cast<std::uint16_t>(*v);
  if (auto v = flags.take_number("threads", 0, 1024)) c.threads = static_cast<unsigned>(*v);
  c.print_stats = flags.take_switch("stats") || c.print_stats;
  server_limits& l = c.limits;
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
    if (auto v = flags.take_duration(name)) {
      if (v->count() <= 0) flags.fail(std::string("--") + name + " must be more than 0");
      *field = *v;
    }
  }
  if (auto v = flags.take_duration("drain-timeout")) l.drain_timeout = *v;
  if (auto v = flags.take_number("ring-entries", 1, 1u << 20))
    c.ring.sq_entries = static_cast<unsigned>(*v);
  if (auto v = flags.take_number("buffer-count", 1, 32768)) {
    if ((*v & (*v - 1)) != 0) flags.fail("--buffer-count must be a power of two");
    c.ring.buffer_count = static_cast<unsigned>(*v);
  }
  if (auto v = flags.take_size("buffer-size")) c.ring.buffer_size = static_cast<unsigned>(*v);
  if (auto v = flags.take_number("idle-batch", 0, 4096))
    c.ring.idle_batch.completions = static_cast<unsigned>(*v);
  if (auto v = flags.take_number("idle-batch-us", 1, 10'000))
    c.ring.idle_batch.max_delay = std::chrono::microseconds(*v);
}

std::string server_flags_help() {
  return "  --host ADDR              address to listen on (default 0.0.0.0)\n"
         "  --port N                 port (0: any free port, printed at start)\n"
         "  --threads N              threads, one runtime each (default: one per CPU)\n"
         "  --stats                  print runtime statistics and CPU µs/request at exit\n"
         "  --max-header-bytes N     request line + headers (default 16k) → 431\n"
         "  --max-headers N          header fields (default 64) → 431\n"
         "  --max-uri-bytes N        request target (default 8k) → 414\n"
         "  --max-body-bytes N       request body (default 1m) → 413\n"
         "  --max-pipelined N        requests answered per send (default 128)\n"
         "  --max-output-bytes N     pending output before reading pauses (default 256k)\n"
         "  --max-queued-receives N  receives a busy connection leaves unread before its\n"
         "                           receive pauses (default 8)\n"
         "  --header-timeout D       first byte to complete request (default 10s) → 408\n"
         "  --idle-timeout D         keep-alive idle time (default 60s)\n"
         "  --send-timeout D         a response send that makes no progress (default 30s) → close\n"
         "  --drain-timeout D        graceful shutdown bound (default 5s)\n"
         "  --ring-entries N         io_uring submission queue entries (default 1024)\n"
         "  --buffer-count N         provided receive buffers per thread (default 2048)\n"
         "  --buffer-size N          bytes per provided buffer (default 4096)\n"
         "  --idle-batch N           after a busy stretch, sleep until N completions are\n"
         "                           ready (default 32; 0: wake at the first one)\n"
         "  --idle-batch-us N        ... or until N µs have passed with one (default 200)\n";
}

int run_server(const server_config& config, const std::function<handler&(unsigned)>& make_handler) {
  launch_state st;
  st.config = &config;
  st.make_handler = &make_handler;
  st.threads = config.threads != 0 ? config.threads : available_cpus();
  thread_options options;
  options.threads = st.threads;
  options.ring = config.ring;
  try {
    run_threads(options, [&st](unsigned index) { return serve_thread(&st, index); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  if (!st.error.empty()) {
    std::fprintf(stderr, "error: %s\n", st.error.c_str());
    return 1;
  }
  if (config.print_stats) print_stats(stderr, st.totals, st.requests, process_cpu_micros());
  return 0;
}

}  // namespace coring::http
