#pragma once
// listener: a listening socket with multishot accept into direct descriptors.
//
// One IORING_OP_ACCEPT with IORING_ACCEPT_MULTISHOT yields a CQE per connection.
// Connections land in the ring's direct-descriptor table (IORING_FILE_INDEX_ALLOC);
// when the table is nearly full the listener switches to plain fds, and back when
// slots free up. One multishot accept drains the whole backlog in one go (and what
// arrives meanwhile), and the kernel closes a connection it cannot fit in the table
// (-ENFILE), so once fewer than two backlogs' worth of slots are free, direct accepts
// are single-shot. EMFILE/ENFILE on plain accepts backs off
// (a short timer) instead of spinning. SO_REUSEPORT lets every thread own a listener
// on the same port; the first one claims the port (see listen_options::claim_port), so
// a port that any other socket already holds is refused with EADDRINUSE.

#include <coroutine>
#include <cstdint>
#include <vector>

#include "core/address.hpp"
#include "core/descriptor.hpp"
#include "core/multishot.hpp"
#include "core/result.hpp"
#include "core/stop.hpp"
#include "core/task.hpp"

namespace coring {

struct listen_options {
  int backlog = 4096;
  bool reuse_port = true;
  // With reuse_port: bind as the port's first owner. Linux lets any socket of the same
  // user join a SO_REUSEPORT group, so two processes would silently split a port's
  // connections. A claiming socket binds WITHOUT SO_REUSEPORT — the kernel's own bind
  // check then refuses a port held by anybody (a listener with or without SO_REUSEPORT,
  // another coring process), atomically, with no probe-then-bind window — and enables
  // SO_REUSEPORT between bind and listen, so this process's later listeners (claim_port
  // = false) join its group. A process that starts later claims too, and is refused.
  // (A BPF reuseport program only picks sockets within a group; it cannot refuse a
  // joiner.) What this cannot stop: a foreign SO_REUSEPORT socket of the same user that
  // joins after us without claiming.
  bool claim_port = true;
  bool direct_descriptors = true;
  bool no_delay = true;  // TCP_NODELAY, inherited by accepted sockets
};

struct accepted {
  int error = 0;  // 0, or errno (ECANCELED once the listener is stopped)
  descriptor socket;
};

class listener : private multishot_request {
 public:
  // Binds and listens; throws std::system_error naming the address on failure.
  listener(const socket_address& address, const listen_options& options = {});
  ~listener();
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  int fd() const noexcept { return fd_; }

  struct accept_awaiter {
    listener& self;
    bool await_ready() { return self.ready(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { self.next_waiter_ = waiter; }
    accepted await_resume() noexcept { return self.pop(); }
  };
  // The next connection; {ECANCELED} once stop() has taken effect. Errors that concern
  // one connection (ECONNABORTED, EPROTO, ...) are retried at once and out-of-fd errors
  // (EMFILE, ENFILE, ENOMEM, ENOBUFS) after a 10 ms back-off, both unseen by the caller;
  // any other error means the listening socket itself is broken (EINVAL after a
  // shutdown, ...): accept() returns it, and every later call returns it too.
  accept_awaiter accept() noexcept { return accept_awaiter{*this}; }

  // Stops accepting; a pending accept() then completes with ECANCELED.
  void stop();

  struct drain_awaiter {
    listener& self;
    bool await_ready() const noexcept { return self.settled(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { self.end_waiter_ = waiter; }
    void await_resume() const noexcept {}
  };
  // Waits until no accept request is in flight (call after stop()).
  drain_awaiter drained() noexcept { return drain_awaiter{*this}; }

  // Closes the listening socket (after drained()): new connections are refused at once
  // and the kernel resets those still in its accept queue, rather than leaving them to
  // wait unanswered for as long as the server drains. A load balancer then sees a
  // refused connection, fails its health check at once and retries elsewhere.
  void close() noexcept;

 private:
  struct backoff_timer : completion {
    listener* owner;
  };
  static void on_complete(completion* self, int res, std::uint32_t flags) noexcept;
  static void on_backoff_done(completion* self, int res, std::uint32_t flags) noexcept;
  enum class accept_error { none, one_connection, out_of_fds, listener_broken };
  static accept_error classify(int err) noexcept;
  static constexpr unsigned max_transient_errors_in_a_row = 64;
  // After the armed accept ended with `res` (no CQE_F_MORE): arm again, back off, or
  // mark the listener failed.
  void rearm_after(int res);
  [[noreturn]] void fail_setup(const char* step, const socket_address& address);
  void back_off();
  void arm();
  bool ready();
  accepted pop() noexcept;
  bool settled() const noexcept { return !armed() && !backing_off_; }  // nothing in flight
  // Resumes the owner if it can go on (last thing in a handler: it may destroy us).
  void wake_owner();

  int fd_ = -1;
  std::uint16_t port_ = 0;
  bool want_direct_;
  unsigned burst_;            // a full backlog: what one multishot accept takes at once, at least
  bool direct_mode_ = false;  // the armed request allocates direct descriptors
  bool multishot_ = false;    // the armed request is multishot
  bool stopping_ = false;
  bool backing_off_ = false;
  bool switching_ = false;  // cancelled a plain-fd request to go back to direct
  unsigned plain_accepts_ = 0;
  unsigned transient_errors_ = 0;  // in a row, without a connection in between
  int failed_ = 0;                 // the errno that broke the listener, 0 while healthy
  std::vector<accepted> queue_;
  std::size_t queue_head_ = 0;
  backoff_timer backoff_{};
  __kernel_timespec backoff_delay_{};
};

}  // namespace coring
