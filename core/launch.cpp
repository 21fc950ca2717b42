#include "core/launch.hpp"

#include <errno.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "core/threads.hpp"

namespace coring {

struct launch_shared {
  const launch_config* config;
  const std::function<task<void>(serving_thread&)>* serve;
  unsigned threads;
  std::atomic<int> bound_port{-1};  // -1: not yet; -2: thread 0 failed to listen
  std::atomic<unsigned> listening{0};
  std::mutex mutex;  // guards what follows
  runtime_stats totals;
  std::string error;
};

namespace {

void record_failure(launch_shared& shared, const std::string& message) {
  {
    std::lock_guard lock(shared.mutex);
    if (shared.error.empty()) shared.error = message;
  }
  shut_down_all_threads();
}

// Thread 0's port, once it has one (-2: thread 0 failed).
int wait_for_bound_port(const launch_shared& shared) {
  while (shared.bound_port.load() == -1) std::this_thread::yield();
  return shared.bound_port.load();
}

// Opens this thread's listener into `l`; false (error recorded) if it cannot.
bool open_listener(launch_shared* shared, unsigned index, std::optional<listener>& l) {
  const launch_config& config = *shared->config;
  std::uint16_t port = config.port;
  listen_options options = config.listen;
  if (index > 0) {
    // Thread 0 claims the port (refused if anybody else holds it); the others join its
    // SO_REUSEPORT group afterwards, on its port (which may have been ephemeral).
    const int bound = wait_for_bound_port(*shared);
    if (bound < 0) return false;
    port = static_cast<std::uint16_t>(bound);
    options.claim_port = false;
  }
  try {
    l.emplace(socket_address::parse(config.host, port), options);
    if (index == 0) shared->bound_port = l->port();
    return true;
  } catch (const std::exception& e) {
    if (index == 0) shared->bound_port = -2;
    record_failure(*shared, e.what());
    return false;
  }
}

void announce_when_all_listen(launch_shared* shared, const listener& l) {
  if (++shared->listening != shared->threads) return;
  const launch_config& config = *shared->config;
  std::printf("listening on %s (%u thread%s)\n",
              socket_address::parse(config.host, l.port()).to_string().c_str(), shared->threads,
              shared->threads == 1 ? "" : "s");
  if (config.after_listening) config.after_listening();
  std::fflush(stdout);
}

task<void> serve_thread(launch_shared* shared, unsigned index) {
  std::optional<listener> l;
  if (!open_listener(shared, index, l)) co_return;
  announce_when_all_listen(shared, *l);
  serving_thread thread(index, *l, *shared);
  co_await (*shared->serve)(thread);
  std::lock_guard lock(shared->mutex);
  shared->totals += runtime::current().stats();
}

}  // namespace

unsigned launch_config::thread_count() const { return resolve_thread_count(threads); }

void serving_thread::fail(const std::string& message) { record_failure(shared_, message); }

void take_launch_flags(cli& flags, launch_config& c) {
  if (auto v = flags.take_string("host")) c.host = *v;
  if (auto v = flags.take_number("port", 0, 65535)) c.port = static_cast<std::uint16_t>(*v);
  if (auto v = flags.take_number("threads", 0, 1024)) c.threads = static_cast<unsigned>(*v);
  c.print_stats = flags.take_switch("stats") || c.print_stats;
  if (auto v = flags.take_number("ring-entries", 1, 1u << 20))
    c.ring.sq_entries = static_cast<unsigned>(*v);
  if (auto v = flags.take_number("idle-batch", 0, 4096))
    c.ring.idle_batch.completions = static_cast<unsigned>(*v);
  using std::chrono::microseconds;
  if (auto v = flags.take_duration("idle-batch-delay", microseconds(1), microseconds(10'000)))
    c.ring.idle_batch.max_delay = std::chrono::ceil<microseconds>(*v);
  try {
    (void)socket_address::parse(c.host, 0);
  } catch (const std::exception& e) {
    flags.fail("--host '" + c.host + "': " + e.what());
  }
}

std::string launch_flags_help(const launch_config& d) {
  const std::string port = std::to_string(d.port);
  return "  --host ADDR              address to listen on (default " + d.host + ")\n" +
         "  --port N                 port (default " + port + "; 0: any free port, printed)\n" +
         "  --threads N              threads, one runtime each (default 0: one per CPU)\n"
         "  --stats                  print runtime statistics and CPU µs per request\n"
         "                           (the proxy: per session) at exit\n"
         "  --ring-entries N         io_uring submission queue entries (default " +
         std::to_string(d.ring.sq_entries) +
         ")\n"
         "  --idle-batch N           after a busy stretch, sleep until N completions are\n"
         "                           ready (default " +
         std::to_string(d.ring.idle_batch.completions) +
         "; 0: wake at the first one)\n"
         "  --idle-batch-delay D     ... or until D has passed with one (default " +
         format_duration(d.ring.idle_batch.max_delay) + ")\n";
}

int launch_threads(const launch_config& config,
                   const std::function<task<void>(serving_thread&)>& serve,
                   runtime_stats* runtime_totals) {
  launch_shared shared;
  shared.config = &config;
  shared.serve = &serve;
  shared.threads = config.thread_count();
  thread_options options;
  options.threads = shared.threads;
  options.ring = config.ring;
  try {
    run_threads(options, [&shared](unsigned index) { return serve_thread(&shared, index); });
  } catch (const std::exception& e) {
    shared.error = e.what();
  }
  if (!shared.error.empty()) {
    std::fprintf(stderr, "%s: error: %s\n", program_invocation_short_name, shared.error.c_str());
    return 1;
  }
  if (runtime_totals != nullptr) *runtime_totals = shared.totals;
  return 0;
}

}  // namespace coring
