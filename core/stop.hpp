#pragma once
// stop_source / stop_callback: single-thread cancellation for a task tree.
//
// A task carries a pointer to the stop_source it runs under; awaiting a child task
// hands the pointer down. An I/O operation in flight registers a stop_callback;
// request_stop() fires every callback once, and the operation's callback submits
// IORING_OP_ASYNC_CANCEL. The waiter is still resumed only by the operation's own
// final CQE (with -ECANCELED), so nothing the kernel writes is freed early.
// No atomics: a stop_source and everything registered on it live on one thread.

#include "core/intrusive_list.hpp"

namespace coring {

class stop_callback : public list_node<stop_callback> {
 public:
  using function = void (*)(void* context) noexcept;
  stop_callback(function fn, void* context) noexcept : fn_(fn), context_(context) {}
  stop_callback(const stop_callback&) = delete;
  stop_callback& operator=(const stop_callback&) = delete;

 private:
  friend class stop_source;
  function fn_;
  void* context_;
};

class stop_source {
 public:
  stop_source() = default;
  // A child source stops when its parent does (parent may be null).
  explicit stop_source(stop_source* parent) noexcept {
    if (parent == nullptr) return;
    if (parent->stop_requested()) {
      requested_ = true;
    } else {
      parent_ = parent;
      parent->add(&parent_link_);
    }
  }
  ~stop_source() {
    if (parent_ != nullptr) parent_->remove(&parent_link_);
  }
  stop_source(const stop_source&) = delete;
  stop_source& operator=(const stop_source&) = delete;

  [[nodiscard]] bool stop_requested() const noexcept { return requested_; }

  void request_stop() noexcept {
    if (requested_) return;
    requested_ = true;
    // Unlink each callback before calling it, so a callback may unregister others.
    while (stop_callback* cb = callbacks_.pop_front()) cb->fn_(cb->context_);
  }

  // Registers cb; returns false (and registers nothing) if stop was already requested.
  bool add(stop_callback* cb) noexcept {
    if (requested_) return false;
    callbacks_.push_front(*cb);  // the newest fires first
    return true;
  }

  void remove(stop_callback* cb) noexcept { callbacks_.remove(*cb); }

 private:
  static void on_parent_stop(void* self) noexcept {
    auto* source = static_cast<stop_source*>(self);
    source->parent_ = nullptr;  // the parent unlinked us before calling
    source->request_stop();
  }

  stop_callback parent_link_{&on_parent_stop, this};
  stop_source* parent_ = nullptr;
  intrusive_list<stop_callback> callbacks_;
  bool requested_ = false;
};

}  // namespace coring
