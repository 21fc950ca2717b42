#include "core/frame_pool.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>

namespace coring::frame_pool {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool pool_enabled = false;
#else
constexpr bool pool_enabled = true;
#endif

// Frames up to 2 KiB are pooled in classes 16 bytes apart, with a free list per class;
// larger ones go to malloc. Two pools, because frames live in two ways:
// - Spawned frames (a server's connections) last: each idle connection keeps one. They
//   are carved side by side from slabs, so a server's memory grows by exactly one frame
//   per connection — no malloc header, no coarse rounding, and no page shared with the
//   request-time allocations that come and go in between (which would keep half-empty
//   pages resident). Never given back: a connection frame is reused by the next one.
// - Task frames come and go with requests; a burst leaves many in the free lists. They
//   come from malloc, and trim() frees those a burst left behind, as the http server's
//   workspace pool does.
constexpr std::size_t granule = 16;  // also the alignment every frame needs
constexpr std::size_t class_count = 129;
constexpr std::size_t slab_bytes = 64 * 1024;
// glibc malloc puts an 8-byte header before a block and rounds the chunk up to 16: a
// task class 8 bytes short of a multiple of 16 fills its chunk exactly.
constexpr std::size_t malloc_header = 8;

struct free_node {
  free_node* next;
};

struct free_lists {
  std::array<free_node*, class_count> heads{};
  std::array<std::uint32_t, class_count> counts{};
  std::array<std::uint32_t, class_count> fewest{};  // the lowest count since the last trim

  void* pop(std::size_t cls) noexcept {
    free_node* node = heads[cls];
    if (node == nullptr) return nullptr;
    heads[cls] = node->next;
    fewest[cls] = std::min(fewest[cls], --counts[cls]);
    return node;
  }
  void push(std::size_t cls, void* frame) noexcept {
    auto* node = static_cast<free_node*>(frame);
    node->next = heads[cls];
    heads[cls] = node;
    ++counts[cls];
  }
};

struct slab_header {
  slab_header* next;
};
constexpr std::size_t slab_header_bytes = granule;  // keeps the frames after it aligned

struct thread_pool {
  free_lists tasks;
  free_lists lasting;
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

  std::size_t free_tasks(std::size_t cls, std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) ::operator delete(tasks.pop(cls));
    return count;
  }

  // A frame still alive at thread exit (left suspended) keeps its slab: the slabs are
  // only freed when none is.
  ~thread_pool() {
    for (std::size_t cls = 0; cls < class_count; ++cls) free_tasks(cls, tasks.counts[cls]);
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
constexpr std::size_t task_class_of(std::size_t size) noexcept {
  return (size + malloc_header + granule - 1) / granule;
}

// A frame of class `cls` back to its free list, or to malloc if too big to pool.
void give_back(free_lists& lists, std::size_t cls, void* frame) noexcept {
  --pool.live;
  if (!pool_enabled || cls >= class_count) {
    ::operator delete(frame);
    return;
  }
  lists.push(cls, frame);
}

}  // namespace

void* allocate(std::size_t size) {
  ++pool.live;
  const std::size_t cls = task_class_of(size);
  if (!pool_enabled || cls >= class_count) return ::operator new(size);
  if (void* frame = pool.tasks.pop(cls)) return frame;
  return ::operator new(cls* granule - malloc_header);
}

void deallocate(void* frame, std::size_t size) noexcept {
  give_back(pool.tasks, task_class_of(size), frame);
}

void* allocate_lasting(std::size_t size) {
  ++pool.live;
  const std::size_t cls = class_of(size);
  if (!pool_enabled || cls >= class_count) return ::operator new(size);
  if (void* frame = pool.lasting.pop(cls)) return frame;
  return pool.carve_frame(cls * granule);
}

void deallocate_lasting(void* frame, std::size_t size) noexcept {
  give_back(pool.lasting, class_of(size), frame);
}

std::size_t trim() noexcept {
  std::size_t freed = 0;
  for (std::size_t cls = 0; cls < class_count; ++cls) {
    freed += pool.free_tasks(cls, std::min(pool.tasks.fewest[cls], pool.tasks.counts[cls]));
    pool.tasks.fewest[cls] = pool.tasks.counts[cls];
  }
  return freed;
}

std::size_t live_frames() noexcept { return pool.live; }

}  // namespace coring::frame_pool
