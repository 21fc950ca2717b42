// proxy: a TCP proxy on coring, the TCP-proxy benchmark (a client's HTTP requests
// relayed to an `upstream` server) — see `proxy --help` and session.hpp.
//
// Wiring only: parse flags, size the pipe pools, run core's launcher with one accept
// loop per thread (server.cpp), print counters on exit.

#include <algorithm>
#include <csignal>
#include <cstdio>

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

  coring::runtime_stats runtime_totals;
  const int status = coring::launch_threads(
      opts.launch,
      [&](coring::serving_thread& thread) { return proxy::serve(&opts, &shared, thread); },
      &runtime_totals);
  if (status == 0 && opts.launch.print_stats) {
    shared.totals.print(stdout);
    coring::print_stats(stdout, runtime_totals, shared.totals.sessions,
                        coring::process_cpu_micros());
    std::fflush(stdout);
  }
  return status;
}
