#include "http/operations.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>

#include "core/message.hpp"
#include "core/runtime.hpp"
#include "core/threads.hpp"
#include "core/time.hpp"
#include "core/when_all.hpp"
#include "http/launch.hpp"
#include "http/metrics_handler.hpp"
#include "http/server.hpp"

namespace coring::http {
namespace {

// Each thread publishes its ring counters about once a second for the metrics scrape.
task<void> publish_ring_stats(thread_metrics* mine) {
  for (;;) {
    mine->ring.publish(runtime::current().stats());
    const io_result slept = co_await sleep_for(std::chrono::seconds(1));
    if (!slept) co_return;  // shutting down
  }
}

// Serves until shutdown, then lets the access log write its last lines.
task<void> serve_then_close_log(server* srv, listener* l, access_log* log) {
  co_await srv->serve(*l);
  if (log != nullptr) log->close();
}

task<void> run_log(access_log* log) {
  if (log != nullptr) co_await log->run();
}

}  // namespace

std::string operations::check(const server_config& config) {
  if (config.access_log.empty() || config.access_log == "-") return {};
  const int fd = ::open(config.access_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return "--access-log " + config.access_log + ": " + std::strerror(errno);
  ::close(fd);
  return {};
}

operations::operations(const server_config& config, unsigned threads)
    : config_(config), logs_(threads), log_storage_(threads) {
  if (!config.metrics_path.empty()) {
    counters_ = std::make_unique<metrics>(config.name, threads);
    counters_->extra = config.extra_metrics;
  }
  set_hangup_handler([this] { reopen_logs(); });
}

operations::~operations() { set_hangup_handler({}); }

// SIGHUP (on thread 0): every thread reopens its access log.
void operations::reopen_logs() {
  bool any = false;
  const std::vector<runtime*>& runtimes = all_runtimes();
  for (std::size_t i = 0; i < logs_.size() && i < runtimes.size(); ++i) {
    access_log* log = logs_[i].load();
    if (log == nullptr) continue;
    any = true;
    if (runtimes[i] == runtime::current_or_null()) {
      log->reopen();
    } else {
      post_message(*runtimes[i], log->reopen_notice());
    }
  }
  if (!any) std::fprintf(stderr, "coring: SIGHUP received, no access log to reopen\n");
}

task<std::uint64_t> operations::serve(unsigned index, handler& app, listener& l,
                                      int* accept_error) {
  std::optional<metrics_handler> with_metrics;
  thread_metrics* mine = counters_ ? &counters_->thread(index) : nullptr;
  if (mine != nullptr) {
    with_metrics.emplace(app, *counters_, *mine, config_.metrics_path);
    runtime::current().spawn(publish_ring_stats(mine).under(&runtime::current().shutdown_source()));
  }
  access_log* log = nullptr;
  if (!config_.access_log.empty()) {
    log_storage_[index] = std::make_unique<access_log>(config_.access_log);  // own slot
    log = log_storage_[index].get();
    logs_[index] = log;
  }
  server srv(with_metrics ? static_cast<handler&>(*with_metrics) : app, config_.limits);
  srv.observe(mine, log);
  co_await when_all(serve_then_close_log(&srv, &l, log), run_log(log));
  *accept_error = srv.accept_error();
  co_return srv.stats().requests;
}

}  // namespace coring::http
