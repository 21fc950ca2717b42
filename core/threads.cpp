#include "core/threads.hpp"

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <latch>
#include <memory>
#include <optional>
#include <thread>

#include "core/message.hpp"
#include "core/signal.hpp"

namespace coring {
namespace {

std::vector<runtime*> runtimes;
std::function<void()> hangup_handler;

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

void pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// The next signal other than SIGHUP, each SIGHUP passed to on_hangup on the way.
task<int> next_stop_signal(signal_set* signals, const std::function<void()>* on_hangup) {
  for (;;) {
    const int signo = co_await signals->wait();
    if (signo != SIGHUP) co_return signo;
    (*on_hangup)();
  }
}

// Turns signals into shutdown requests for every runtime.
task<void> watch_signals(signal_set* signals, const std::function<void()>* on_hangup) {
  int signo = co_await next_stop_signal(signals, on_hangup);
  if (signo < 0) co_return;
  std::fprintf(stderr, "coring: %s received, shutting down (again to force)\n", strsignal(signo));
  shut_down_all_threads();
  signo = co_await next_stop_signal(signals, on_hangup);
  if (signo > 0) std::_Exit(128 + signo);
}

}  // namespace

unsigned available_cpus() {
  const auto cpus = allowed_cpus();
  return cpus.empty() ? 1u : static_cast<unsigned>(cpus.size());
}

unsigned resolve_thread_count(unsigned requested) {
  return requested != 0 ? requested : available_cpus();
}

const std::vector<runtime*>& all_runtimes() { return runtimes; }

void set_hangup_handler(std::function<void()> reopen) { hangup_handler = std::move(reopen); }

void shut_down_all_threads() {
  for (runtime* rt : all_runtimes()) {
    if (rt == runtime::current_or_null()) {
      rt->shutdown_source().request_stop();
    } else {
      post_message(*rt, rt->shutdown_notice());
    }
  }
}

void run_threads(const thread_options& options, const std::function<task<void>(unsigned)>& main) {
  const unsigned count = resolve_thread_count(options.threads);
  const std::vector<int> cpus = allowed_cpus();
  // Block the signals before any thread starts, so every thread inherits the mask.
  std::optional<signal_set> signals;
  if (options.handle_signals && hangup_handler) {
    signals.emplace(std::initializer_list<int>{SIGINT, SIGTERM, SIGHUP});
  } else if (options.handle_signals) {
    signals.emplace();
  }

  runtimes.assign(count, nullptr);
  std::vector<std::exception_ptr> errors(count);
  std::latch all_started(count);
  std::latch all_finished(count);
  std::atomic<unsigned> finished{0};

  auto body = [&](unsigned index) {
    if (options.pin && !cpus.empty() && count > 1) pin_to(cpus[index % cpus.size()]);
    std::unique_ptr<runtime> rt;
    try {
      rt = std::make_unique<runtime>(options.ring);
      runtimes[index] = rt.get();
    } catch (...) {
      errors[index] = std::current_exception();
    }
    all_started.arrive_and_wait();
    bool everyone_up = true;
    for (runtime* r : runtimes) everyone_up = everyone_up && r != nullptr;
    if (everyone_up) {
      try {
        if (index == 0 && signals) rt->spawn(watch_signals(&*signals, &hangup_handler));
        rt->block_on(main(index));
      } catch (...) {
        errors[index] = std::current_exception();
      }
      ++finished;
      if (index == 0) {
        // Keep serving signals (and wake-ups) until every other thread is done.
        while (finished.load() < count) rt->run_once(true);
      } else {
        post_message(*runtimes[0], runtimes[0]->wake_notice());
        rt->run_once(false);  // submit the wake-up message
      }
    }
    all_finished.arrive_and_wait();  // no ring is destroyed while another may post to it
  };

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < count; ++i) threads.emplace_back(body, i);
  body(0);
  for (std::thread& t : threads) t.join();
  runtimes.clear();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace coring
