#pragma once
// store: the key-value table every thread shares — a striped, open-addressing hash
// table with fixed-size slots and a TTL per entry.
//
// Why striped locks (and not sharding by key with cross-core messages): see
// apps/kv/README.md — a stripe lock costs ~20 ns uncontended, a MSG_RING round trip to
// the owning core costs microseconds, and with 64 stripes two threads rarely meet.
//
// - 64 stripes, each its own table behind its own spinlock, picked by the key hash's
//   top bits; a stripe grows (rehash, the only allocation) at half load.
// - A slot holds the key and value inline (sizes fixed by --max-key / --max-value), so
//   a GET hit is a probe and a copy: no allocation, no pointer chasing.
// - Linear probing with backward-shift deletion: no tombstones to clean up.
// - Entries expire `ttl` after their last write: a read of an expired entry deletes it
//   (lazy), and sweep() visits a bounded number of slots per call for the rest.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "spinlock.hpp"

namespace kv {

struct store_options {
  std::size_t max_key = 32;
  std::size_t max_value = 32;
  std::size_t max_keys = 4'000'000;
  std::chrono::milliseconds ttl{60'000};  // 0: entries never expire
};

class store {
 public:
  explicit store(const store_options& options);
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  // Calls found(value) under the stripe lock when `key` is live; false when missing.
  template <class F>
  bool get(std::string_view key, std::int64_t now_ms, F&& found);

  enum class put_result { stored, full };
  // Stores (or overwrites) key → value; sizes must be within the options. `full` when
  // a new key would exceed max_keys.
  put_result put(std::string_view key, std::string_view value, std::int64_t now_ms);
  // Asks the CPU to start loading the slot where `key` lives, without taking the stripe
  // lock: a request parsed later then finds it in cache. Never faults, never blocks.
  void prefetch(std::string_view key) const noexcept;

  // Removes `key`; false if it was not there.
  bool erase(std::string_view key);

  // Visits up to `budget` slots (continuing where the last call stopped) and removes
  // expired entries; returns how many it removed.
  std::size_t sweep(std::int64_t now_ms, std::size_t budget);

  std::size_t size() const noexcept { return live_.load(std::memory_order_relaxed); }
  std::uint64_t expired() const noexcept { return expired_.load(std::memory_order_relaxed); }
  std::size_t slot_count() const noexcept { return slots_.load(std::memory_order_relaxed); }
  const store_options& options() const noexcept { return options_; }

 private:
  static constexpr unsigned stripe_bits = 6;
  static constexpr std::size_t stripe_count = std::size_t{1} << stripe_bits;
  static constexpr std::size_t initial_capacity = 1024;  // slots per stripe

  struct slot_header {
    std::uint64_t hash;  // 0: empty (real hashes are forced non-zero)
    std::int64_t expires_ms;
    std::uint32_t value_length;
    std::uint32_t key_length;
  };

  // Zeroed slot memory from mmap, with transparent huge pages asked for: a GET on a
  // random key in a big table is one cache miss, and without huge pages a TLB miss too.
  struct slot_memory {
    struct unmap {
      std::size_t bytes;
      void operator()(unsigned char* p) const noexcept;
    };
    // populate: map every page now (a grown table is half full at once, so its pages
    // will all be touched); a fresh, empty table is left to fault in as keys arrive.
    static std::unique_ptr<unsigned char[], unmap> allocate(std::size_t bytes, bool populate);
  };
  using slot_array = std::unique_ptr<unsigned char[], slot_memory::unmap>;

  struct alignas(64) stripe {
    spinlock lock;
    slot_array slots{nullptr, slot_memory::unmap{0}};
    std::size_t mask = 0;  // capacity - 1
    std::size_t count = 0;
    // Copies of slots/mask for prefetch(), read without the lock (relaxed): a stale pair
    // only makes a useless prefetch, which cannot fault.
    std::atomic<unsigned char*> slots_hint{nullptr};
    std::atomic<std::size_t> mask_hint{0};
  };

  static std::uint64_t hash(std::string_view key) noexcept;
  stripe& stripe_for(std::uint64_t h) noexcept { return stripes_[h >> (64 - stripe_bits)]; }
  slot_header* at(stripe& s, std::size_t i) const noexcept {
    return reinterpret_cast<slot_header*>(s.slots.get() + i * slot_size_);
  }
  char* key_of(slot_header* h) const noexcept {
    return reinterpret_cast<char*>(h) + sizeof(slot_header);
  }
  char* value_of(slot_header* h) const noexcept { return key_of(h) + options_.max_key; }
  bool expired(const slot_header* h, std::int64_t now_ms) const noexcept {
    return ttl_ms_ != 0 && h->expires_ms <= now_ms;
  }
  // The slot holding `key`, or the empty slot where it would go (sets *found).
  std::size_t probe(stripe& s, std::uint64_t h, std::string_view key, bool* found) const noexcept;
  // Empties slot i and shifts later entries of its probe run back (no tombstones).
  void remove_at(stripe& s, std::size_t i) noexcept;
  void grow(stripe& s);
  static void publish_hints(stripe& s) noexcept;

  store_options options_;
  std::int64_t ttl_ms_;
  std::size_t slot_size_;
  std::unique_ptr<stripe[]> stripes_;
  std::atomic<std::size_t> live_{0};
  std::atomic<std::uint64_t> expired_{0};
  std::atomic<std::size_t> slots_{0};
  // The sweep cursor: only the sweeping thread touches it.
  std::size_t sweep_stripe_ = 0;
  std::size_t sweep_slot_ = 0;
};

template <class F>
bool store::get(std::string_view key, std::int64_t now_ms, F&& found) {
  const std::uint64_t h = hash(key);
  stripe& s = stripe_for(h);
  s.lock.lock();
  bool hit = false;
  const std::size_t i = probe(s, h, key, &hit);
  if (hit) {
    slot_header* e = at(s, i);
    if (expired(e, now_ms)) {
      remove_at(s, i);
      expired_.fetch_add(1, std::memory_order_relaxed);
      hit = false;
    } else {
      found(std::string_view(value_of(e), e->value_length));
    }
  }
  s.lock.unlock();
  return hit;
}

}  // namespace kv
