#pragma once
// buffer_ring: provided buffers (io_uring_register_buf_ring) for multishot recv.
//
// Connections own no receive buffer while idle: the kernel picks a buffer from this
// ring only when data arrives, and the CQE names it (IORING_CQE_F_BUFFER). The reader
// holds it as a recv_lease and gives it back (recycle) when parsing is done.
// liburing 2.3 has no io_uring_setup_buf_ring, so the ring memory is our own mmap.

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace coring {

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
  // Hands buffer `id` back to the kernel.
  void recycle(std::uint16_t id) noexcept;
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
  bool registered_ = true;
  std::uint16_t group_id_;
};

// A received buffer, handed back to its ring when the lease ends.
class recv_lease {
 public:
  recv_lease() noexcept = default;
  recv_lease(buffer_ring* ring, std::uint16_t id, std::uint32_t length) noexcept
      : ring_(ring), id_(id), length_(length) {}
  recv_lease(recv_lease&& o) noexcept
      : ring_(std::exchange(o.ring_, nullptr)), id_(o.id_), length_(o.length_) {}
  recv_lease& operator=(recv_lease&& o) noexcept {
    if (this != &o) {
      release();
      ring_ = std::exchange(o.ring_, nullptr);
      id_ = o.id_;
      length_ = o.length_;
    }
    return *this;
  }
  ~recv_lease() { release(); }

  explicit operator bool() const noexcept { return ring_ != nullptr; }
  std::span<char> data() const noexcept { return ring_->buffer(id_).first(length_); }
  void release() noexcept {
    if (ring_ != nullptr) std::exchange(ring_, nullptr)->recycle(id_);
  }

 private:
  buffer_ring* ring_ = nullptr;
  std::uint16_t id_ = 0;
  std::uint32_t length_ = 0;
};

}  // namespace coring
