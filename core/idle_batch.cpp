#include "core/idle_batch.hpp"

#include <linux/time_types.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace coring {
namespace {

// Newer than liburing 2.3's headers.
constexpr unsigned feat_min_timeout = 1U << 15;  // IORING_FEAT_MIN_TIMEOUT (Linux 6.12)
constexpr unsigned registered_ring_flag = 1;     // liburing's INT_FLAG_REG_RING

// struct io_uring_getevents_arg as of Linux 6.12: the old `pad` is min_wait_usec.
struct getevents_arg {
  std::uint64_t sigmask;
  std::uint32_t sigmask_sz;
  std::uint32_t min_wait_usec;
  std::uint64_t ts;
};

// An overall timeout is required: without one the kernel ends the wait when the
// min-wait expires even with nothing ready, and an idle loop would wake every
// max_delay. With one, it then waits for the first completion as usual.
constexpr __kernel_timespec long_wait{3600, 0};

}  // namespace

idle_batch::idle_batch(const io_uring& ring, const idle_batch_options& options) noexcept
    : options_{options.completions, std::min(options.max_delay, max_delay_limit)},
      enabled_(options.completions > 1 && options.max_delay.count() > 0 &&
               (ring.features & feat_min_timeout) != 0 &&
               (ring.flags & IORING_SETUP_DEFER_TASKRUN) != 0 &&
               (ring.flags & IORING_SETUP_TASKRUN_FLAG) != 0) {}

bool idle_batch::sleep_batched(io_uring& ring) noexcept {
  if (!enabled_) return false;
  // Work already waiting: a plain enter runs it without sleeping.
  if ((IO_URING_READ_ONCE(*ring.sq.kflags) & IORING_SQ_TASKRUN) != 0) return false;
  if (io_uring_cq_ready(&ring) != 0) return false;
  const unsigned reaped = reaped_since_sleep_;
  reaped_since_sleep_ = 0;
  if (reaped < options_.completions) return false;  // not busy: wake at the first one

  getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  arg.min_wait_usec = static_cast<std::uint32_t>(options_.max_delay.count());
  arg.ts = reinterpret_cast<std::uint64_t>(&long_wait);
  unsigned flags = IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG;
  int fd = ring.ring_fd;
  if ((ring.int_flags & registered_ring_flag) != 0) {
    fd = ring.enter_ring_fd;
    flags |= IORING_ENTER_REGISTERED_RING;
  }
  if (::syscall(__NR_io_uring_enter, fd, 0u, options_.completions, flags, &arg, sizeof arg) < 0 &&
      errno != ETIME && errno != EINTR) {
    // ETIME (the hour passed) and EINTR only end the sleep. Anything else means this
    // kernel refuses the call: say so once and sleep the plain way from now on.
    std::fprintf(stderr, "coring: batched io_uring_enter failed (%s); idle batching off\n",
                 std::strerror(errno));
    enabled_ = false;
    return false;
  }
  return true;
}

}  // namespace coring
