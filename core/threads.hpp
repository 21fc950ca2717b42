#pragma once
// Thread-per-core: N threads, each with its own runtime, sharing nothing mutable.
//
// run_threads() runs main(index) on every thread (index 0 on the calling thread) and
// returns when all have finished. SIGINT/SIGTERM are turned into a graceful shutdown:
// every runtime's shutdown_source() is requested (on its own thread, via MSG_RING);
// a second signal exits at once. Threads are pinned to the CPUs the process may use.

#include <functional>
#include <vector>

#include "core/runtime.hpp"
#include "core/task.hpp"

namespace coring {

struct thread_options {
  unsigned threads = 0;  // 0: one per CPU the process may run on
  runtime::options ring;
  bool pin = true;
  bool handle_signals = true;
};

// With thread_options::handle_signals, SIGHUP calls `reopen` on thread 0 (to reopen log
// files, as logrotate expects) instead of killing the process. Set it before
// run_threads; an empty function restores SIGHUP's default action for the next run.
void set_hangup_handler(std::function<void()> reopen);

// CPUs in this process's affinity mask.
unsigned available_cpus();
// The number of threads to run for a requested count: 0 means one per available CPU.
unsigned resolve_thread_count(unsigned requested);

// Every runtime started by run_threads, by index (valid while they run).
const std::vector<runtime*>& all_runtimes();

// Requests a graceful shutdown of every runtime run_threads started, as SIGTERM would
// (call from one of those threads: the others are told via MSG_RING).
void shut_down_all_threads();

void run_threads(const thread_options& options,
                 const std::function<task<void>(unsigned index)>& main);

}  // namespace coring
