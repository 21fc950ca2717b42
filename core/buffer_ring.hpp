#pragma once
// buffer_ring: provided buffers (io_uring_register_buf_ring) for multishot recv.
//
// Connections own no receive buffer while idle: the kernel picks a buffer from this
// ring only when data arrives, and the CQE names it (IORING_CQE_F_BUFFER). The reader
// holds it as a recv_lease and gives it back (recycle) when parsing is done.
// liburing 2.3 has no io_uring_setup_buf_ring, so the ring memory is our own mmap.
//
// A receive that finds the ring empty (-ENOBUFS) must not re-arm at once — it would
// fail again at once, a busy loop — so it waits as a buffer_waiter, and a buffer handed
// back wakes every waiter: only receives with bytes waiting run the ring dry, and each
// of them should get the chance to take it (the losers wait again).

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>

#include "core/intrusive_list.hpp"

namespace coring {

class buffer_ring;

// Something to call back when a buffer is handed back (intrusive: no allocation).
class buffer_waiter : public list_node<buffer_waiter> {
 public:
  using callback = void (*)(void* context) noexcept;
  buffer_waiter(callback on_buffer, void* context) noexcept
      : on_buffer_(on_buffer), context_(context) {}
  bool waiting() const noexcept { return linked(); }

 private:
  friend class buffer_ring;
  callback on_buffer_;
  void* context_;
};

class buffer_ring {
 public:
  // count must be a power of two (≤ 32768); group_id names the ring in SQEs.
  buffer_ring(io_uring& ring, unsigned count, unsigned size, std::uint16_t group_id);
  ~buffer_ring();
  buffer_ring(const buffer_ring&) = delete;
  buffer_ring& operator=(const buffer_ring&) = delete;

  std::uint16_t group_id() const noexcept { return group_id_; }
  unsigned buffer_size() const noexcept { return size_; }
  unsigned count() const noexcept { return count_; }
  unsigned available() const noexcept { return count_ - leased_; }

  std::span<char> buffer(std::uint16_t id) const noexcept {
    return {memory_ + static_cast<std::size_t>(id) * size_, size_};
  }
  // Called for every CQE that carries IORING_CQE_F_BUFFER.
  void on_selected() noexcept { ++leased_; }
  // Hands buffer `id` back to the kernel, then wakes every waiter.
  void recycle(std::uint16_t id) noexcept;
  // Queues `w` (not already waiting) for the next recycled buffer.
  void wait_for_buffer(buffer_waiter& w) noexcept { waiters_.push_back(w); }
  // Takes `w` off the queue if it is on it.
  void stop_waiting(buffer_waiter& w) noexcept { waiters_.remove(w); }

  // The ring was torn down (io_uring_queue_exit): its registrations are gone with it.
  void ring_closed() noexcept { registered_ = false; }

 private:
  io_uring& ring_;
  io_uring_buf_ring* entries_ = nullptr;  // LIFETIME: registered until the destructor unregisters
  char* memory_ = nullptr;                // LIFETIME: unmapped only after unregistering
  std::size_t entries_bytes_ = 0;
  std::size_t memory_bytes_ = 0;
  unsigned count_;
  unsigned size_;
  unsigned leased_ = 0;
  intrusive_list<buffer_waiter> waiters_;
  bool registered_ = true;
  std::uint16_t group_id_;
};

// Received bytes: a ring buffer, handed back to its ring when the lease ends — or,
// rarely, a heap copy (a paused receive gives its ring buffers back early).
class recv_lease {
 public:
  recv_lease() noexcept = default;
  recv_lease(buffer_ring* ring, std::uint16_t id, std::uint32_t length) noexcept
      : ring_(ring), id_(id), length_(length) {}
  recv_lease(std::unique_ptr<char[]> bytes, std::uint32_t length) noexcept
      : heap_(bytes.release()), length_(length) {}
  recv_lease(recv_lease&& o) noexcept
      : ring_(std::exchange(o.ring_, nullptr)),
        heap_(std::exchange(o.heap_, nullptr)),
        id_(o.id_),
        length_(o.length_) {}
  recv_lease& operator=(recv_lease&& o) noexcept {
    if (this != &o) {
      release();
      ring_ = std::exchange(o.ring_, nullptr);
      heap_ = std::exchange(o.heap_, nullptr);
      id_ = o.id_;
      length_ = o.length_;
    }
    return *this;
  }
  ~recv_lease() { release(); }

  explicit operator bool() const noexcept { return ring_ != nullptr || heap_ != nullptr; }
  std::span<char> data() const noexcept {
    return heap_ != nullptr ? std::span<char>(heap_, length_) : ring_->buffer(id_).first(length_);
  }
  void release() noexcept {
    if (ring_ != nullptr) std::exchange(ring_, nullptr)->recycle(id_);
    delete[] std::exchange(heap_, nullptr);
  }

 private:
  buffer_ring* ring_ = nullptr;
  char* heap_ = nullptr;
  std::uint16_t id_ = 0;
  std::uint32_t length_ = 0;
};

}  // namespace coring
