#include "core/frame_pool.hpp"

#include <array>
#include <new>

namespace coring::frame_pool {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool pool_enabled = false;
#else
constexpr bool pool_enabled = true;
#endif

// Frames up to 2 KiB come from slabs carved into classes 16 bytes apart, and go back to
// a free list per class; larger ones go to malloc. The slabs are for servers: each idle
// connection keeps one frame, and frames carved from slabs lie side by side, so the
// server's memory grows by exactly one frame per connection — no malloc header, no
// coarse rounding, and no sharing of pages with the request-time allocations that come
// and go in between (which would keep half-empty pages resident).
constexpr std::size_t granule = 16;  // also the alignment every frame needs
constexpr std::size_t class_count = 129;
constexpr std::size_t slab_bytes = 64 * 1024;

struct free_node {
  free_node* next;
};

struct slab_header {
  slab_header* next;
};
constexpr std::size_t slab_header_bytes = granule;  // keeps the frames after it aligned

struct thread_pool {
  std::array<free_node*, class_count> heads{};
  std::size_t live = 0;
  slab_header* slabs = nullptr;
  char* carve = nullptr;  // the unused end of the newest slab
  std::size_t carve_left = 0;

  void* carve_frame(std::size_t bytes) {
    if (carve_left < bytes) {
      void* memory = ::operator new(slab_bytes);
      slabs = new (memory) slab_header{slabs};
      carve = static_cast<char*>(memory) + slab_header_bytes;
      carve_left = slab_bytes - slab_header_bytes;
    }
    void* frame = carve;
    carve += bytes;
    carve_left -= bytes;
    return frame;
  }

  // A frame still alive at thread exit (left suspended) keeps its slab: the slabs are
  // only freed when none is.
  ~thread_pool() {
    if (live != 0) return;
    while (slabs != nullptr) {
      slab_header* next = slabs->next;
      ::operator delete(static_cast<void*>(slabs));
      slabs = next;
    }
  }
};

thread_local thread_pool pool;

constexpr std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule; }

}  // namespace

void* allocate(std::size_t size) {
  ++pool.live;
  const std::size_t cls = class_of(size);
  if (!pool_enabled || cls >= class_count) return ::operator new(size);
  if (free_node* node = pool.heads[cls]) {
    pool.heads[cls] = node->next;
    return node;
  }
  return pool.carve_frame(cls * granule);
}

void deallocate(void* frame, std::size_t size) noexcept {
  --pool.live;
  const std::size_t cls = class_of(size);
  if (!pool_enabled || cls >= class_count) {
    ::operator delete(frame);
    return;
  }
  auto* node = static_cast<free_node*>(frame);
  node->next = pool.heads[cls];
  pool.heads[cls] = node;
}

std::size_t live_frames() noexcept { return pool.live; }

}  // namespace coring::frame_pool
