#pragma once
// timeout_list: cheap per-connection timeouts without a timer per request.
//
// Every connection in a list has the same timeout, so deadlines are ordered by
// insertion: re-arming moves the node to the tail (O(1)), and a periodic tick expires
// from the head. Arming costs a coarse clock read (coarse_clock.hpp), not an io_uring
// timeout SQE.

#include <chrono>
#include <cstdint>

#include "core/coarse_clock.hpp"
#include "core/intrusive_list.hpp"

namespace coring {

class timeout_list {
 public:
  struct node : list_node<node> {
    using callback = void (*)(void* context) noexcept;
    node(callback fire, void* context) noexcept : fire(fire), context(context) {}
    callback fire;
    void* context;
    timeout_list* owner = nullptr;
    std::int64_t deadline_ms = 0;
  };

  explicit timeout_list(std::chrono::milliseconds timeout) noexcept
      : timeout_ms_(timeout.count()) {}

  void arm(node& n, std::int64_t now_ms) noexcept {
    if (n.owner != nullptr) n.owner->disarm(n);
    n.deadline_ms = now_ms + timeout_ms_;
    n.owner = this;
    nodes_.push_back(n);
  }

  void disarm(node& n) noexcept {
    if (n.owner != this) return;
    nodes_.remove(n);
    n.owner = nullptr;
  }

  // Fires (and unlinks) every node whose deadline has passed.
  void expire(std::int64_t now_ms) noexcept {
    while (!nodes_.empty() && nodes_.front()->deadline_ms <= now_ms) {
      node* n = nodes_.front();
      disarm(*n);
      n->fire(n->context);
    }
  }

 private:
  std::int64_t timeout_ms_;
  intrusive_list<node> nodes_;  // oldest deadline first
};

}  // namespace coring
