#include "core/published_stats.hpp"

namespace coring {

const std::array<const char*, published_stats::field_count>& runtime_stats_names() noexcept {
  static constexpr std::array<const char*, published_stats::field_count> names = {
      "loop_iterations", "io_uring_enter",     "sqes",        "cqes",
      "cq_overflows",    "enobufs_rearms",     "recv_pauses", "tasks_spawned",
      "task_errors",     "zc_sends",           "zc_copied",   "accept_backoffs",
      "accept_errors",   "idle_batched_sleeps"};
  return names;
}

}  // namespace coring
