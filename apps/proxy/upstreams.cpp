#include "apps/proxy/upstreams.hpp"

namespace proxy {

upstreams::upstreams(std::vector<coring::socket_address> addresses, std::size_t start,
                     clock::duration hold_down)
    : next_(0), hold_down_(hold_down) {
  entries_.reserve(addresses.size());
  for (auto& a : addresses) entries_.push_back(entry{a, {}});
  if (!entries_.empty()) next_ = start % entries_.size();
}

std::size_t upstreams::pick() {
  const std::size_t n = entries_.size();
  if (n == 1) return 0;
  // Only read the clock when something is held down (the common case has none).
  bool any_held = false;
  for (const entry& e : entries_) any_held = any_held || e.held_until != clock::time_point{};
  std::size_t chosen = next_;
  if (any_held) {
    const clock::time_point now = clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t candidate = (next_ + i) % n;
      if (entries_[candidate].held_until <= now) {
        chosen = candidate;
        break;
      }
    }
  }
  next_ = (chosen + 1) % n;
  return chosen;
}

void upstreams::mark_failed(std::size_t index) {
  entries_[index].held_until = clock::now() + hold_down_;
}

void upstreams::mark_ok(std::size_t index) { entries_[index].held_until = {}; }

}  // namespace proxy
