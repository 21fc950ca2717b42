#include "core/buffer_ring.hpp"

#include <sys/mman.h>

#include <cstring>
#include <string>

#include "core/setup_error.hpp"

namespace coring {
namespace {

void* map_anonymous(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw runtime_setup_error("buffer_ring: mmap of " + std::to_string(bytes) + " bytes failed");
  return p;
}

}  // namespace

buffer_ring::buffer_ring(io_uring& ring, unsigned count, unsigned size, std::uint16_t group_id)
    : ring_(ring), count_(count), size_(size), group_id_(group_id) {
  if (count == 0 || (count & (count - 1)) != 0 || count > 32768) {
    throw runtime_setup_error("buffer_ring: count must be a power of two up to 32768");
  }
  entries_bytes_ = count * sizeof(io_uring_buf);
  memory_bytes_ = static_cast<std::size_t>(count) * size;
  entries_ = static_cast<io_uring_buf_ring*>(map_anonymous(entries_bytes_));
  memory_ = static_cast<char*>(map_anonymous(memory_bytes_));

  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(entries_);
  reg.ring_entries = count;
  reg.bgid = group_id;
  if (int rc = io_uring_register_buf_ring(&ring_, &reg, 0); rc < 0) {
    munmap(entries_, entries_bytes_);
    munmap(memory_, memory_bytes_);
    throw runtime_setup_error(std::string("io_uring_register_buf_ring: ") + std::strerror(-rc) +
                              " (provided buffer rings need Linux 5.19+)");
  }
  io_uring_buf_ring_init(entries_);
  const int mask = io_uring_buf_ring_mask(count);
  for (unsigned id = 0; id < count; ++id) {
    io_uring_buf_ring_add(entries_, memory_ + static_cast<std::size_t>(id) * size, size,
                          static_cast<unsigned short>(id), mask, static_cast<int>(id));
  }
  io_uring_buf_ring_advance(entries_, static_cast<int>(count));
}

buffer_ring::~buffer_ring() {
  if (registered_) io_uring_unregister_buf_ring(&ring_, group_id_);
  munmap(entries_, entries_bytes_);
  munmap(memory_, memory_bytes_);
}

void buffer_ring::recycle(std::uint16_t id) noexcept {
  --leased_;
  io_uring_buf_ring_add(entries_, memory_ + static_cast<std::size_t>(id) * size_, size_, id,
                        io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(entries_, 1);
  // Each callback only queues an SQE, so none of them re-enters the list while we walk it.
  while (buffer_waiter* w = waiters_.pop_front()) w->on_buffer_(w->context_);
}

}  // namespace coring
