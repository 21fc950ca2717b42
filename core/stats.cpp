#include "core/stats.hpp"

#include <sys/resource.h>

namespace coring {

runtime_stats& runtime_stats::operator+=(const runtime_stats& o) noexcept {
  loop_iterations += o.loop_iterations;
  enter_calls += o.enter_calls;
  sqes_submitted += o.sqes_submitted;
  cqes_reaped += o.cqes_reaped;
  cq_overflows += o.cq_overflows;
  enobufs_rearms += o.enobufs_rearms;
  recv_pauses += o.recv_pauses;
  tasks_spawned += o.tasks_spawned;
  task_errors += o.task_errors;
  zc_sends += o.zc_sends;
  zc_copied += o.zc_copied;
  accept_backoffs += o.accept_backoffs;
  accept_errors += o.accept_errors;
  idle_batched_sleeps += o.idle_batched_sleeps;
  return *this;
}

std::uint64_t process_cpu_micros() noexcept {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto micros = [](const timeval& tv) {
    return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000u +
           static_cast<std::uint64_t>(tv.tv_usec);
  };
  return micros(usage.ru_utime) + micros(usage.ru_stime);
}

void print_stats(std::FILE* out, const runtime_stats& s, std::uint64_t requests,
                 std::uint64_t cpu_micros) {
  const double per_request =
      requests ? static_cast<double>(cpu_micros) / static_cast<double>(requests) : 0.0;
  const double enters_per_request =
      requests ? static_cast<double>(s.enter_calls) / static_cast<double>(requests) : 0.0;
  std::fprintf(
      out,
      "stats: requests=%llu cpu_us=%llu cpu_us_per_request=%.3f\n"
      "stats: loop_iterations=%llu io_uring_enter=%llu (%.3f per request) sqes=%llu "
      "cqes=%llu cq_overflows=%llu enobufs_rearms=%llu recv_pauses=%llu\n"
      "stats: tasks_spawned=%llu task_errors=%llu zc_sends=%llu zc_copied=%llu "
      "accept_backoffs=%llu accept_errors=%llu idle_batched_sleeps=%llu\n",
      static_cast<unsigned long long>(requests), static_cast<unsigned long long>(cpu_micros),
      per_request, static_cast<unsigned long long>(s.loop_iterations),
      static_cast<unsigned long long>(s.enter_calls), enters_per_request,
      static_cast<unsigned long long>(s.sqes_submitted),
      static_cast<unsigned long long>(s.cqes_reaped),
      static_cast<unsigned long long>(s.cq_overflows),
      static_cast<unsigned long long>(s.enobufs_rearms),
      static_cast<unsigned long long>(s.recv_pauses),
      static_cast<unsigned long long>(s.tasks_spawned),
      static_cast<unsigned long long>(s.task_errors), static_cast<unsigned long long>(s.zc_sends),
      static_cast<unsigned long long>(s.zc_copied),
      static_cast<unsigned long long>(s.accept_backoffs),
      static_cast<unsigned long long>(s.accept_errors),
      static_cast<unsigned long long>(s.idle_batched_sleeps));
}

}  // namespace coring
