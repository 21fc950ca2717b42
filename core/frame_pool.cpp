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

constexpr std::size_t granule = 64;
constexpr std::size_t class_count = 32;  // frames up to 2 KiB are pooled

struct free_node {
  free_node* next;
};

struct thread_pool {
  std::array<free_node*, class_count> heads{};
  std::size_t live = 0;

  ~thread_pool() {
    for (free_node*& head : heads) {
      while (head != nullptr) {
        free_node* next = head->next;
        ::operator delete(static_cast<void*>(head));
        head = next;
      }
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
  return ::operator new(cls* granule);
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
