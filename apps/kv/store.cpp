#include "store.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace kv {

std::unique_ptr<unsigned char[], store::slot_memory::unmap> store::slot_memory::allocate(
    std::size_t bytes, bool populate) {
  constexpr std::size_t huge_page = std::size_t{2} << 20;
  const bool huge = bytes >= huge_page;
  // A grown table is half full at once and random keys touch every page of it, so its
  // pages are mapped at once (populate) rather than by one page fault each: faults were
  // most of what growing cost (perf: 8 % of kv's CPU under the bench mix, more so in a
  // VM). A new, empty table is not populated: with big values it could be large.
  // A huge page can back only a 2 MiB-aligned range and mmap aligns to 4 KiB: big tables
  // map one huge page more and trim, so that every whole 2 MiB of them can get one.
  const std::size_t mapped = huge ? bytes + huge_page : bytes;
  const int populate_now = populate && !huge ? MAP_POPULATE : 0;  // huge: after the advice
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | populate_now, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<unsigned char*>(p);
  if (!huge) return {base, unmap{bytes}};
  const std::size_t head =
      (huge_page - reinterpret_cast<std::uintptr_t>(base) % huge_page) % huge_page;
  if (head != 0) ::munmap(base, head);
  ::munmap(base + head + bytes, mapped - head - bytes);  // never 0: head < huge_page
  ::madvise(base + head, bytes, MADV_HUGEPAGE);          // best effort, as is populating
  if (populate) ::madvise(base + head, bytes, MADV_POPULATE_WRITE);
  return {base + head, unmap{bytes}};
}

void store::slot_memory::unmap::operator()(unsigned char* p) const noexcept { ::munmap(p, bytes); }

store::store(const store_options& options)
    : options_(options),
      ttl_ms_(options.ttl.count()),
      // Header, key and value inline, rounded up to keep headers 8-byte aligned.
      slot_size_((sizeof(slot_header) + options.max_key + options.max_value + 7) & ~std::size_t{7}),
      stripes_(std::make_unique<stripe[]>(stripe_count)) {
  for (std::size_t i = 0; i < stripe_count; ++i) {
    stripe& s = stripes_[i];
    s.slots = slot_memory::allocate(initial_capacity * slot_size_, false);  // zeroed: all empty
    s.mask = initial_capacity - 1;
    publish_hints(s);
  }
  slots_ = stripe_count * initial_capacity;
}

std::uint64_t store::hash(std::string_view key) noexcept {
  // FNV-1a, then a murmur3 finaliser so both the top (stripe) and low (slot) bits mix.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h == 0 ? 1 : h;
}

void store::publish_hints(stripe& s) noexcept {
  s.slots_hint.store(s.slots.get(), std::memory_order_relaxed);
  s.mask_hint.store(s.mask, std::memory_order_relaxed);
}

void store::prefetch(std::string_view key) const noexcept {
  const std::uint64_t h = hash(key);
  const stripe& s = stripes_[h >> (64 - stripe_bits)];
  const unsigned char* slots = s.slots_hint.load(std::memory_order_relaxed);
  const std::size_t i = h & s.mask_hint.load(std::memory_order_relaxed);
  const unsigned char* slot = slots + i * slot_size_;
  __builtin_prefetch(slot);                   // header and key
  __builtin_prefetch(slot + slot_size_ - 1);  // the value, when the slot spans two lines
}

std::size_t store::probe(stripe& s, std::uint64_t h, std::string_view key,
                         bool* found) const noexcept {
  std::size_t i = h & s.mask;
  for (;;) {
    slot_header* e = at(s, i);
    if (e->hash == 0) {
      *found = false;
      return i;
    }
    if (e->hash == h && e->key_length == key.size() &&
        std::memcmp(key_of(e), key.data(), key.size()) == 0) {
      *found = true;
      return i;
    }
    i = (i + 1) & s.mask;
  }
}

void store::remove_at(stripe& s, std::size_t i) noexcept {
  // Backward-shift: move each later entry of the run into the hole if its home slot
  // allows it, so lookups never need tombstones.
  std::size_t hole = i;
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & s.mask;
    slot_header* e = at(s, j);
    if (e->hash == 0) break;
    const std::size_t home = e->hash & s.mask;
    // Does home lie cyclically in (hole, j]? Then e must stay where it is.
    const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (stays) continue;
    std::memcpy(at(s, hole), e, slot_size_);
    hole = j;
  }
  at(s, hole)->hash = 0;
  --s.count;
  live_.fetch_sub(1, std::memory_order_relaxed);
}

void store::grow(stripe& s) {
  const std::size_t old_capacity = s.mask + 1;
  const std::size_t capacity = old_capacity * 2;
  slot_array old = std::move(s.slots);
  s.slots = slot_memory::allocate(capacity * slot_size_, true);
  s.mask = capacity - 1;
  publish_hints(s);
  for (std::size_t k = 0; k < old_capacity; ++k) {
    auto* e = reinterpret_cast<slot_header*>(old.get() + k * slot_size_);
    if (e->hash == 0) continue;
    std::size_t i = e->hash & s.mask;
    while (at(s, i)->hash != 0) i = (i + 1) & s.mask;
    std::memcpy(at(s, i), e, slot_size_);
  }
  slots_.fetch_add(old_capacity, std::memory_order_relaxed);
}

store::put_result store::put(std::string_view key, std::string_view value, std::int64_t now_ms) {
  const std::uint64_t h = hash(key);
  stripe& s = stripe_for(h);
  s.lock.lock();
  bool found = false;
  std::size_t i = probe(s, h, key, &found);
  if (!found) {
    // The key limit is global: reserve a place before inserting.
    if (live_.fetch_add(1, std::memory_order_relaxed) >= options_.max_keys) {
      live_.fetch_sub(1, std::memory_order_relaxed);
      s.lock.unlock();
      return put_result::full;
    }
    if ((s.count + 1) * 2 > s.mask + 1) {
      grow(s);
      i = probe(s, h, key, &found);
    }
    ++s.count;
    slot_header* e = at(s, i);
    e->hash = h;
    e->key_length = static_cast<std::uint32_t>(key.size());
    std::memcpy(key_of(e), key.data(), key.size());
  } else if (expired(at(s, i), now_ms)) {
    expired_.fetch_add(1, std::memory_order_relaxed);  // it died before this write revived it
  }
  slot_header* e = at(s, i);
  e->expires_ms = now_ms + ttl_ms_;
  e->value_length = static_cast<std::uint32_t>(value.size());
  if (!value.empty()) std::memcpy(value_of(e), value.data(), value.size());  // data() may be null
  s.lock.unlock();
  return put_result::stored;
}

bool store::erase(std::string_view key) {
  const std::uint64_t h = hash(key);
  stripe& s = stripe_for(h);
  s.lock.lock();
  bool found = false;
  const std::size_t i = probe(s, h, key, &found);
  if (found) remove_at(s, i);
  s.lock.unlock();
  return found;
}

std::size_t store::sweep(std::int64_t now_ms, std::size_t budget) {
  if (ttl_ms_ == 0) return 0;
  std::size_t removed = 0;
  while (budget > 0) {
    stripe& s = stripes_[sweep_stripe_];
    s.lock.lock();
    // One lock hold visits at most 256 slots, so a request never waits long on a sweep.
    std::size_t visits = budget < 256 ? budget : 256;
    budget -= visits;
    while (visits-- > 0 && sweep_slot_ <= s.mask) {
      slot_header* e = at(s, sweep_slot_);
      if (e->hash != 0 && expired(e, now_ms)) {
        remove_at(s, sweep_slot_);  // a later entry may shift in here: look again
        ++removed;
      } else {
        ++sweep_slot_;
      }
    }
    const bool stripe_done = sweep_slot_ > s.mask;
    s.lock.unlock();
    if (stripe_done) {
      sweep_slot_ = 0;
      sweep_stripe_ = (sweep_stripe_ + 1) % stripe_count;
    }
  }
  expired_.fetch_add(removed, std::memory_order_relaxed);
  return removed;
}

}  // namespace kv
