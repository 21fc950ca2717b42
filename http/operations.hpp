#pragma once
// operations: what run_server adds around each thread's server to run it in
// production — the /metrics endpoint in front of the app's handler (http/metrics.hpp),
// the ring counters each thread publishes for it, the access log (http/access_log.hpp),
// and SIGHUP reopening every thread's log (for logrotate).

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/listener.hpp"
#include "core/task.hpp"
#include "http/access_log.hpp"
#include "http/handler.hpp"
#include "http/metrics.hpp"

namespace coring::http {

struct server_config;
class server;

class operations {
 public:
  // An unwritable access log is refused before any thread starts: the message, or "".
  static std::string check(const server_config& config);

  // Installs the SIGHUP handler; the destructor restores SIGHUP's default.
  operations(const server_config& config, unsigned threads);
  ~operations();
  operations(const operations&) = delete;
  operations& operator=(const operations&) = delete;

  // Thread `index` serves `l` with `app` until shutdown; returns the requests answered
  // and, in *accept_error, the errno that broke the listener (0 if none).
  task<std::uint64_t> serve(unsigned index, handler& app, listener& l, int* accept_error);

 private:
  void reopen_logs();

  const server_config& config_;
  std::unique_ptr<metrics> counters_;  // when config.metrics_path is set
  // By thread: set by the thread once its log is open. The logs outlive the threads,
  // so a SIGHUP that races the end of a thread reaches a live object.
  std::vector<std::atomic<access_log*>> logs_;
  std::vector<std::unique_ptr<access_log>> log_storage_;
};

}  // namespace coring::http
