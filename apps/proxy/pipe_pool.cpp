#include "apps/proxy/pipe_pool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace proxy {

pipe_pool::~pipe_pool() {
  for (pipe_pair p : free_) {
    ::close(p.read);
    ::close(p.write);
  }
}

bool pipe_pool::acquire(pipe_pair& out) {
  if (!free_.empty()) {
    out = free_.back();
    free_.pop_back();
    unused_since_trim_ = std::min(unused_since_trim_, free_.size());
    return true;
  }
  if (created_ >= capacity_) return false;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  // Best effort: past the per-user limit the pipe keeps its default size, still usable.
  (void)::fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(pipe_size_));
  out = pipe_pair{fds[0], fds[1]};
  ++created_;
  return true;
}

void pipe_pool::release(pipe_pair p, bool drained) {
  if (drained) {
    free_.push_back(p);
    return;
  }
  close_pipe(p);
}

void pipe_pool::trim() noexcept {
  // The oldest free pipes (front) are the ones that sat unused longest.
  const std::size_t unused = std::min(unused_since_trim_, free_.size());
  for (std::size_t i = 0; i < unused; ++i) close_pipe(free_[i]);
  free_.erase(free_.begin(), free_.begin() + static_cast<std::ptrdiff_t>(unused));
  unused_since_trim_ = free_.size();
}

void pipe_pool::close_pipe(pipe_pair p) noexcept {
  ::close(p.read);
  ::close(p.write);
  --created_;
}

std::size_t pipe_pool::default_capacity(std::size_t pipe_size) {
  std::size_t soft_pages = 0;
  std::ifstream("/proc/sys/fs/pipe-user-pages-soft") >> soft_pages;
  if (soft_pages == 0) return 4096;  // no limit configured
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t pages_per_pipe = std::max<std::size_t>(1, (pipe_size + page - 1) / page);
  return std::max<std::size_t>(2, soft_pages / pages_per_pipe);
}

}  // namespace proxy
