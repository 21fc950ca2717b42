#include "core/runtime.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/buffer_ring.hpp"

namespace coring {
namespace {

thread_local runtime* current_runtime = nullptr;

constexpr unsigned reap_batch = 256;

std::string setup_error_text(int err) {
  std::string text = std::string("io_uring_queue_init: ") + std::strerror(err);
  switch (err) {
    case ENOMEM:
      text +=
          " — the ring could not be allocated; check RLIMIT_MEMLOCK (ulimit -l) or use fewer "
          "entries";
      break;
    case EPERM:
      text +=
          " — io_uring is disabled for this process (sysctl kernel.io_uring_disabled, seccomp?)";
      break;
    case ENOSYS:
      text += " — this kernel has no io_uring";
      break;
    case EINVAL:
      text +=
          " — ring parameters rejected (entries must be ≤ 32768) or the kernel is older than Linux "
          "6.1";
      break;
    default:
      break;
  }
  return text;
}

// The newest set-up first; each fallback gives up something the kernel lacks.
int init_ring(io_uring& ring, unsigned sq_entries, unsigned cq_entries) {
  const unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
  const unsigned attempts[] = {
      // TASKRUN_FLAG: user space can see pending task work (idle_batch checks it).
      base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
      base | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
      IORING_SETUP_CQSIZE,
  };
  int rc = -EINVAL;
  for (unsigned flags : attempts) {
    io_uring_params params{};
    params.flags = flags;
    params.cq_entries = cq_entries;
    rc = io_uring_queue_init_params(sq_entries, &ring, &params);
    if (rc != -EINVAL) break;
  }
  return rc;
}

unsigned nofile_soft_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return static_cast<unsigned>(std::min<rlim_t>(limit.rlim_cur, 1u << 20));
}

}  // namespace

runtime::runtime(const options& opts) {
  if (current_runtime != nullptr) throw runtime_setup_error("runtime: this thread already has one");
  const unsigned cq_entries = opts.cq_entries != 0 ? opts.cq_entries : opts.sq_entries * 16;
  if (int rc = init_ring(ring_, opts.sq_entries, cq_entries); rc < 0) {
    throw runtime_setup_error(setup_error_text(-rc));
  }
  io_uring_register_ring_fd(&ring_);  // optional speed-up; the plain fd still works
  idle_batch_ = idle_batch(ring_, opts.idle_batch);

  // The kernel caps a ring's file table at RLIMIT_NOFILE; ask for what fits.
  fixed_file_capacity_ = opts.fixed_files != 0 ? opts.fixed_files : nofile_soft_limit();
  while (fixed_file_capacity_ > 0) {
    int rc = io_uring_register_files_sparse(&ring_, fixed_file_capacity_);
    if (rc == 0) break;
    if (rc != -EMFILE && rc != -EINVAL && rc != -ENOMEM) {
      fixed_file_capacity_ = 0;
      break;
    }
    fixed_file_capacity_ /= 2;
  }

  try {
    if (opts.buffer_count != 0) {
      buffers_ = std::make_unique<buffer_ring>(ring_, opts.buffer_count, opts.buffer_size, 0);
    }
  } catch (...) {
    io_uring_queue_exit(&ring_);
    throw;
  }
  failure_reporter_.on_cqe = &report_failure;
  failure_reporter_.owner = this;
  shutdown_notice_.on_cqe = &on_shutdown_notice;
  shutdown_notice_.owner = this;
  wake_notice_.on_cqe = [](completion*, int, std::uint32_t) noexcept {};
  wake_notice_.owner = this;
  ready_.reserve(1024);
  running_.reserve(1024);
  current_runtime = this;
}

runtime::~runtime() {
  closing_ = true;
  // The kernel cancels and finishes every request before queue_exit returns, so after
  // this line nothing writes into coroutine frames or buffers any more.
  io_uring_queue_exit(&ring_);
  if (buffers_) buffers_->ring_closed();
  // Now the frames of tasks still suspended can be freed.
  while (!spawned_.empty()) {
    std::coroutine_handle<detail::detached_promise>::from_promise(*spawned_.front()).destroy();
  }
  buffers_.reset();
  current_runtime = nullptr;
}

runtime& runtime::current() noexcept { return *current_runtime; }
runtime* runtime::current_or_null() noexcept { return current_runtime; }

runtime_stats& runtime::stats() noexcept {
  // With IORING_FEAT_NODROP the kernel's overflow counter (*koverflow) only counts CQEs
  // it had to drop for lack of memory; CQEs it held back are counted by reap().
  stats_.cq_overflows = cq_overflows_seen_ + *ring_.cq.koverflow;
  return stats_;
}

io_uring_sqe* runtime::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  while (s == nullptr) {
    submit(0);
    s = io_uring_get_sqe(&ring_);
  }
  return s;
}

void runtime::reserve_sqes(unsigned count) {
  if (io_uring_sq_space_left(&ring_) < count) submit(0);
}

void runtime::submit(unsigned wait_for) {
  if (closing_) return;
  const unsigned pending = io_uring_sq_ready(&ring_);
  if (pending == 0 && wait_for == 0) return;
  if (pending == 0 && idle_batch_.sleep_batched(ring_)) {
    ++stats_.enter_calls;
    ++stats_.idle_batched_sleeps;
    return;
  }
  int rc = io_uring_submit_and_wait(&ring_, wait_for);
  ++stats_.enter_calls;
  if (rc > 0) stats_.sqes_submitted += static_cast<unsigned>(rc);
  if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME) {
    std::fprintf(stderr, "coring: io_uring_submit_and_wait: %s\n", std::strerror(-rc));
  }
}

void runtime::run_once(bool may_wait) {
  run_ready();
  submit_and_reap(may_wait);
}

void runtime::run_ready() {
  // Swap first: resumed coroutines may post more, which wait for the next round.
  running_.swap(ready_);
  const std::size_t count = running_.size();
  for (std::size_t i = 0; i < count; ++i) {
    resumes_left_ = count - i - 1;
    running_[i].resume();
  }
  resumes_left_ = 0;
  running_.clear();
}

void runtime::submit_and_reap(bool wait) {
  ++stats_.loop_iterations;
  submit(wait && ready_.empty() ? 1 : 0);
  reap();
}

void runtime::reap() {
  struct cqe_copy {
    std::uint64_t user_data;
    int res;
    std::uint32_t flags;
  };
  io_uring_cqe* cqes[reap_batch];
  cqe_copy batch[reap_batch];
  // The CQ ring was full and the kernel is holding CQEs back: nothing is lost (peeking
  // flushes them), but the CQ is too small for the load — count it.
  if (io_uring_cq_has_overflow(&ring_)) ++cq_overflows_seen_;
  for (;;) {
    const unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, reap_batch);
    if (n == 0) return;
    // Copy and release the CQ slots first: handlers may submit, and the kernel may then
    // post new CQEs while we dispatch.
    for (unsigned i = 0; i < n; ++i) batch[i] = {cqes[i]->user_data, cqes[i]->res, cqes[i]->flags};
    io_uring_cq_advance(&ring_, n);
    stats_.cqes_reaped += n;
    idle_batch_.on_reaped(n);
    for (unsigned i = 0; i < n; ++i) {
      if (batch[i].user_data == 0) continue;  // nobody waits for this one (cancel, link timeout)
      dispatches_left_ = n - i - 1;
      auto* c = reinterpret_cast<completion*>(batch[i].user_data);
      c->on_cqe(c, batch[i].res, batch[i].flags);
    }
    dispatches_left_ = 0;
    if (n < reap_batch) return;
  }
}

namespace {

spawned run_detached(task<void> body) { co_await std::move(body); }

}  // namespace

void runtime::spawn(task<void> t) { spawn(run_detached(std::move(t))); }

void runtime::spawn(spawned s, stop_source* under) {
  s.h.promise().stop = under;
  link(&s.h.promise());
  ++stats_.tasks_spawned;
  post(s.h);
}

void runtime::report_task_failure(std::exception_ptr error) noexcept {
  ++stats_.task_errors;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coring: spawned task failed: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "coring: spawned task failed with a non-standard exception\n");
  }
}

void runtime::link(detail::detached_promise* p) noexcept {
  spawned_.push_front(*p);
  ++live_spawned_;
}

void runtime::unlink(detail::detached_promise* p) noexcept {
  spawned_.remove(*p);
  --live_spawned_;
}

void runtime::report_failure(completion* self, int res, std::uint32_t) noexcept {
  auto* r = static_cast<reporter*>(self);
  if (res >= 0 || res == -ENOENT || res == -EALREADY) return;  // cancel found nothing: fine
  ++r->owner->failures_;
  std::fprintf(stderr, "coring: background io_uring request failed: %s\n", std::strerror(-res));
}

void runtime::on_shutdown_notice(completion* self, int, std::uint32_t) noexcept {
  static_cast<reporter*>(self)->owner->shutdown_.request_stop();
}

}  // namespace coring
