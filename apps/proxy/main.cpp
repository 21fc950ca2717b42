// proxy: a TCP proxy on coring — see `proxy --help` and session.hpp.
//
// Wiring only: parse flags, resolve the listen port, run one accept loop per thread
// (server.cpp), print counters on exit.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

#include "apps/proxy/options.hpp"
#include "apps/proxy/pipe_pool.hpp"
#include "apps/proxy/server.hpp"
#include "core/threads.hpp"

namespace {

// Claims the port for this process's threads (SO_REUSEPORT) by binding a socket that
// never listens, so it never takes connections. It binds WITHOUT SO_REUSEPORT, so a port
// that anybody already holds (another proxy, any listener) is refused, then enables it
// so the threads' listeners join (coring::listen_options::claim_port says why). With
// --port 0 it also picks the port they share.
int reserve_port(const coring::socket_address& address, std::uint16_t& port) {
  const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::bind(fd, address.get(), address.length) != 0 ||
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    std::fprintf(stderr, "proxy: bind %s: %s\n", address.to_string().c_str(), std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return -1;
  }
  coring::socket_address bound;
  bound.length = sizeof bound.storage;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound.storage), &bound.length);
  port = bound.port();
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  proxy::parse_outcome parsed = proxy::parse_options(argc, argv);
  if (parsed.help) {
    std::fputs(proxy::usage_text, stdout);
    return 0;
  }
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "proxy: %s\nrun 'proxy --help' for usage\n", parsed.error.c_str());
    return 2;
  }
  const proxy::options& opts = parsed.opts;
  // A peer that goes away mid-splice must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  proxy::shared_state shared;
  shared.threads = opts.threads != 0 ? opts.threads : coring::available_cpus();
  const std::size_t pipes =
      opts.max_pipes != 0 ? opts.max_pipes : proxy::pipe_pool::default_capacity(opts.pipe_size);
  shared.pipes_per_thread = std::max<std::size_t>(2, pipes / shared.threads);

  shared.port = opts.port;
  const int reserved =
      reserve_port(coring::socket_address::parse(opts.bind, opts.port), shared.port);
  if (reserved < 0) return 1;

  coring::thread_options topts;
  topts.threads = shared.threads;
  topts.ring.buffer_count = 0;  // no multishot recv here: no provided buffers
  topts.ring.idle_batch = opts.idle_batch;
  try {
    coring::run_threads(topts, [&](unsigned index) { return proxy::serve(&opts, &shared, index); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxy: %s\n", e.what());
    return 1;
  }
  ::close(reserved);

  if (opts.stats) {
    shared.totals.print(stdout);
    coring::print_stats(stdout, shared.runtime_totals, shared.totals.sessions,
                        coring::process_cpu_micros());
    std::fflush(stdout);
  }
  return shared.accept_failed ? 1 : 0;
}
