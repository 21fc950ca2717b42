#pragma once
// upstreams: which upstream the next session connects to.
//
// Round-robin over the configured addresses; one whose connect just failed is
// skipped for a hold-down period (unless every upstream is held down, then plain
// round-robin). One instance per thread: no sharing, no atomics.

#include <chrono>
#include <cstddef>
#include <vector>

#include "core/address.hpp"

namespace proxy {

class upstreams {
 public:
  using clock = std::chrono::steady_clock;

  // `start` staggers threads so they do not all begin with the first upstream.
  upstreams(std::vector<coring::socket_address> addresses, std::size_t start,
            clock::duration hold_down = std::chrono::seconds(1));

  std::size_t size() const noexcept { return entries_.size(); }
  const coring::socket_address& address(std::size_t index) const noexcept {
    return entries_[index].address;
  }

  // The index to try next.
  std::size_t pick();
  void mark_failed(std::size_t index);
  void mark_ok(std::size_t index);

 private:
  struct entry {
    coring::socket_address address;
    clock::time_point held_until{};
  };
  std::vector<entry> entries_;
  std::size_t next_;
  clock::duration hold_down_;
};

}  // namespace proxy
