#pragma once
// pipe_pool: the pipes splice mode moves bytes through, bounded per thread.
//
// Each splice session needs two pipes (one per direction). Pipe pages count against
// the per-user limit (/proc/sys/fs/pipe-user-pages-soft: 16384 pages = 64 MiB by
// default); past it the kernel hands out 2-page pipes and refuses F_SETPIPE_SZ. So
// the pool creates at most `capacity` pipes and reuses drained ones; when it is
// empty, acquire() fails and the session falls back to copy mode (we do not wait:
// a client would stall behind sessions that may live for minutes).
// A pipe that may still hold bytes (a session aborted mid-transfer) is closed, not
// reused. trim() (called once a second) closes the pipes no session needed since the
// last call, so a burst's pipes go back to the kernel once the burst is over, while
// steady load keeps its pool. One pool per thread: no locking.

#include <cstddef>
#include <vector>

namespace proxy {

struct pipe_pair {
  int read = -1;
  int write = -1;
};

class pipe_pool {
 public:
  pipe_pool(std::size_t capacity, std::size_t pipe_size) noexcept
      : capacity_(capacity), pipe_size_(pipe_size) {}
  ~pipe_pool();
  pipe_pool(const pipe_pool&) = delete;
  pipe_pool& operator=(const pipe_pool&) = delete;

  // A drained pipe, or false if the pool is exhausted (or pipe creation failed).
  bool acquire(pipe_pair& out);
  // Returns a pipe; `drained` false closes it instead of keeping it.
  void release(pipe_pair p, bool drained);
  // Closes the free pipes that stayed unused since the last trim().
  void trim() noexcept;

  std::size_t created() const noexcept { return created_; }
  std::size_t capacity() const noexcept { return capacity_; }

  // Pipes per process the per-user page limit allows at `pipe_size` (at least 2).
  static std::size_t default_capacity(std::size_t pipe_size);

 private:
  void close_pipe(pipe_pair p) noexcept;

  std::vector<pipe_pair> free_;        // the most recently released at the back
  std::size_t unused_since_trim_ = 0;  // the fewest free pipes seen since the last trim
  std::size_t created_ = 0;
  std::size_t capacity_;
  std::size_t pipe_size_;
};

}  // namespace proxy
