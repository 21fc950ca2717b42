// proxy: a TCP proxy on coring, the TCP-proxy benchmark (a client's HTTP requests
// relayed to an `upstream` server) — see `proxy --help` and session.hpp.
//
// Wiring only: parse flags, size the pipe pools, run core's launcher with one accept
// loop per thread (server.cpp), print counters on exit.

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>

#include "apps/proxy/options.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/server.hpp"
#include "core/launch.hpp"

int main(int argc, char** argv) {
  const proxy::options opts = proxy::parse_options(argc, argv);
  // A peer that goes away mid-splice must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  proxy::shared_state shared;
  const unsigned threads = opts.launch.thread_count();
  const std::size_t pipes =
      opts.max_pipes != 0 ? opts.max_pipes : proxy::pipe_pool::default_capacity(opts.pipe_size);
  shared.pipes_per_thread = std::max<std::size_t>(2, pipes / threads);

  for (unsigned i = 0; i < threads; ++i)
    shared.published.push_back(std::make_unique<proxy::published_thread>());
  coring::launch_config launch = opts.launch;
  if (opts.metrics_port) {
    try {
      proxy::open_metrics_listener(opts, shared);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "proxy: error: --metrics-port: %s\n", e.what());
      return 1;
    }
    launch.after_listening = [&] {
      std::printf("metrics on %s:%u\n", opts.launch.host.c_str(), shared.metrics->port());
    };
  }

  coring::runtime_stats runtime_totals;
  const int status = coring::launch_threads(
      launch, [&](coring::serving_thread& thread) { return proxy::serve(&opts, &shared, thread); },
      &runtime_totals);
  if (status == 0 && opts.launch.print_stats) {
    shared.totals.print(stdout);
    coring::print_stats(stdout, runtime_totals, shared.totals.sessions,
                        coring::process_cpu_micros());
    std::fflush(stdout);
  }
  return status;
}
