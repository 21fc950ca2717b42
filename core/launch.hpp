#pragma once
// launch_threads: the life of a server process, whatever it serves — one runtime and
// one SO_REUSEPORT listener per thread, "listening on HOST:PORT (N threads)" on stdout
// once every thread is accepting, SIGINT/SIGTERM as a graceful shutdown, the first
// error on stderr and exit status 1.
//
// With --port 0 thread 0 binds an ephemeral port and the other threads wait for it,
// so every thread listens on the same port.

#include <cstdint>
#include <functional>
#include <string>

#include "core/cli.hpp"
#include "core/listener.hpp"
#include "core/runtime.hpp"
#include "core/stats.hpp"
#include "core/task.hpp"

namespace coring {

struct launch_config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;  // 0: any free port (printed)
  unsigned threads = 0;       // 0: one per CPU
  runtime::options ring;
  listen_options listen;
  bool print_stats = false;
  // Called once, right after the "listening on" line (e.g. to print where else the
  // process listens).
  std::function<void()> after_listening;

  unsigned thread_count() const;  // `threads`, resolved
};

// The flags every server binary takes: --host, --port, --threads, --stats,
// --ring-entries, --idle-batch, --idle-batch-delay.
void take_launch_flags(cli& flags, launch_config& config);
// Their help text, showing `defaults`.
std::string launch_flags_help(const launch_config& defaults);

struct launch_shared;

// What a thread's serve task is given.
class serving_thread {
 public:
  serving_thread(unsigned index, listener& l, launch_shared& shared) noexcept
      : index_(index), listener_(l), shared_(shared) {}
  unsigned index() const noexcept { return index_; }
  listener& accepting() noexcept { return listener_; }
  // Ends the process with exit status 1: keeps `message` (the first one is printed)
  // and asks every thread to shut down.
  void fail(const std::string& message);

 private:
  unsigned index_;
  listener& listener_;
  launch_shared& shared_;
};

// Runs serve(thread) on every thread until shutdown. Returns the exit status: 0 after a
// graceful shutdown, 1 after an error (printed). `runtime_totals`, if given, receives
// every thread's runtime statistics added up.
int launch_threads(const launch_config& config,
                   const std::function<task<void>(serving_thread&)>& serve,
                   runtime_stats* runtime_totals = nullptr);

}  // namespace coring
