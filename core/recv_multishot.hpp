#pragma once
// multishot_recv: one IORING_OP_RECV with IORING_RECV_MULTISHOT, many CQEs.
//
// Each CQE names a provided buffer from the runtime's buffer_ring; results queue up
// here until the owner awaits next(). The kernel ends the multishot (no
// IORING_CQE_F_MORE) on EOF, error, cancel or -ENOBUFS. Nothing is lost when it ends
// early: the bytes stay in the socket.
//
// Two rules keep one connection from starving the others that share the ring:
// - Backpressure: once `max_queued` results wait unread (the owner is busy, e.g. its
//   peer pipelines requests but does not read the answers), the request is cancelled
//   — paused — and armed again only when the owner has drained the queue; TCP flow
//   control pushes back on its peer. While paused, the queued bytes are copied to the
//   heap and their ring buffers handed back, so a stalled connection holds no ring
//   buffer at all and no number of stalled peers can empty the ring. The heap copies
//   are what arrived before the pause took effect (the kernel posts up to 32 results
//   per multishot run, and may run it again before the loop sees them) — bounded by
//   the socket's receive window, like the bytes the kernel itself holds for it.
// - -ENOBUFS (ring empty) waits for a buffer to come back (buffer_waiter) instead of
//   re-arming at once, which would fail at once again: a busy loop.
//
// Before the object dies its owner must co_await stop(): that cancels the request and
// waits for the final CQE, so the kernel never completes into freed memory, and
// every buffer still queued goes back to the ring.

#include <coroutine>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/buffer_ring.hpp"
#include "core/descriptor.hpp"
#include "core/multishot.hpp"
#include "core/op.hpp"

namespace coring {

struct recv_result {
  int value = 0;     // bytes (> 0), 0 at EOF, -errno on error (-ECANCELED, -ETIMEDOUT, ...)
  recv_lease lease;  // the bytes, when value > 0
};

class multishot_recv : private multishot_request {
 public:
  static constexpr unsigned default_max_queued = 8;
  multishot_recv(descriptor d, buffer_ring& ring,
                 unsigned max_queued = default_max_queued) noexcept;
  ~multishot_recv();
  multishot_recv(const multishot_recv&) = delete;
  multishot_recv& operator=(const multishot_recv&) = delete;

  struct next_awaiter {
    multishot_recv& self;
    stop_callback hook{&on_stop, &self};
    stop_source* source = nullptr;
    bool await_ready() { return self.ready(); }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> waiter) {
      source = detail::stop_of(waiter);
      if (source != nullptr && !source->add(&hook)) {
        source = nullptr;
        self.cancel();
        if (self.has_entries()) return false;
      }
      self.next_waiter_ = waiter;
      return true;
    }
    recv_result await_resume() noexcept {
      if (source != nullptr) source->remove(&hook);
      return self.pop();
    }
  };
  // The next chunk of bytes (or EOF / error). Stopping the awaiting task cancels.
  next_awaiter next() noexcept { return next_awaiter{*this}; }

  struct unhooked_awaiter {
    multishot_recv& self;
    bool await_ready() { return self.ready(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { self.next_waiter_ = waiter; }
    recv_result await_resume() noexcept { return self.pop(); }
  };
  // next() for an owner that cancels the wait itself (cancel()) when it must stop: no
  // stop hook in its frame, which matters to an owner that waits in thousands of
  // frames at once (a server's idle connections).
  unhooked_awaiter next_unhooked() noexcept { return unhooked_awaiter{*this}; }

  // Cancels the request; the owner sees -ETIMEDOUT (timed_out) or -ECANCELED next.
  void cancel(bool timed_out = false);

  struct stop_awaiter {
    multishot_recv& self;
    bool await_ready() const noexcept { return !self.armed(); }
    void await_suspend(std::coroutine_handle<> waiter) noexcept { self.end_waiter_ = waiter; }
    void await_resume() const noexcept { self.drop_queue(); }
  };
  // Cancels and waits for the final CQE; afterwards the object may be destroyed.
  stop_awaiter stop();

  using multishot_request::armed;
  descriptor socket() const noexcept { return socket_; }
  // Results waiting for next() (each data result holds one buffer).
  std::size_t queued() const noexcept { return size_ + (spill_ ? spill_->size() : 0); }

 private:
  struct entry {
    int value;
    std::uint16_t buffer_id;
    bool has_buffer;
    char* heap = nullptr;  // owned copy of the bytes (paused), instead of a ring buffer
  };
  // Two inline entries cover the common cases (one chunk of bytes, or bytes then the
  // end) without the heap; more spill. Inline room is paid by every idle connection.
  static constexpr unsigned inline_capacity = 2;

  static void on_complete(completion* self, int res, std::uint32_t flags) noexcept;
  static void on_stop(void* self) noexcept { static_cast<multishot_recv*>(self)->cancel(); }
  static void on_buffer(void* self) noexcept;
  bool has_entries() const noexcept { return size_ != 0; }
  bool spilled() const noexcept { return spill_ != nullptr && !spill_->empty(); }
  void arm();
  bool ready();
  recv_result pop() noexcept;
  void push(const entry& e);
  void finish(int status);
  void drop_queue() noexcept;
  void copy_queue_out() noexcept;

  descriptor socket_;
  buffer_ring& ring_;
  entry inline_[inline_capacity];  // a small circular queue, older than anything in spill_
  // Only when more than inline_capacity CQEs wait; allocated the first time, kept after.
  // A pointer rather than a vector: the room is paid by every idle connection.
  std::unique_ptr<std::vector<entry>> spill_;
  buffer_waiter buffer_wait_{&on_buffer, this};  // while the ring is empty
  unsigned max_queued_;
  int terminal_ = 0;  // what next() answers once finished and drained
  std::uint8_t head_ = 0;
  std::uint8_t size_ = 0;
  bool finished_ = false;  // the kernel side ended for good (EOF, error, cancel)
  bool cancelling_ = false;
  bool pausing_ = false;  // cancelled for backpressure: re-armed once the queue drains
  bool timed_out_ = false;
};

}  // namespace coring
