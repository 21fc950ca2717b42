#pragma once
// channel<T>: a bounded single-thread queue between tasks. send() waits while full,
// receive() waits while empty. Values are handed straight to a waiting receiver (and
// from a waiting sender), so a woken task never finds its value taken by another.
// After close(): receive() drains what is queued, then yields nullopt; send() → false.

#include <coroutine>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "core/runtime.hpp"

namespace coring {

template <class T>
class channel {
 public:
  explicit channel(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  std::size_t size() const noexcept { return items_.size(); }
  bool closed() const noexcept { return closed_; }

  void close() {
    closed_ = true;
    for (receive_awaiter* r : receivers_) runtime::current().post(r->waiter);
    for (send_awaiter* s : senders_) runtime::current().post(s->waiter);
    receivers_.clear();
    senders_.clear();
  }

  struct send_awaiter {
    channel& self;
    T value;
    std::coroutine_handle<> waiter;
    bool delivered = false;
    bool await_ready() {
      if (self.closed_) return true;
      if (!self.receivers_.empty()) {  // hand over directly
        receive_awaiter* r = self.receivers_.front();
        self.receivers_.pop_front();
        r->slot.emplace(std::move(value));
        runtime::current().post(r->waiter);
        delivered = true;
        return true;
      }
      if (self.items_.size() < self.capacity_) {
        self.items_.push_back(std::move(value));
        delivered = true;
        return true;
      }
      return false;
    }
    void await_suspend(std::coroutine_handle<> h) {
      waiter = h;
      self.senders_.push_back(this);
    }
    bool await_resume() const noexcept { return delivered; }
  };
  // Waits for room; false if the channel was closed.
  send_awaiter send(T value) { return send_awaiter{*this, std::move(value), {}}; }

  struct receive_awaiter {
    channel& self;
    std::optional<T> slot;
    std::coroutine_handle<> waiter;
    bool await_ready() {
      if (!self.items_.empty()) {
        slot.emplace(std::move(self.items_.front()));
        self.items_.pop_front();
        self.admit_sender();
        return true;
      }
      return self.closed_;
    }
    void await_suspend(std::coroutine_handle<> h) {
      waiter = h;
      self.receivers_.push_back(this);
    }
    std::optional<T> await_resume() { return std::move(slot); }
  };
  receive_awaiter receive() noexcept { return receive_awaiter{*this, std::nullopt, {}}; }

 private:
  // A slot freed up: the oldest waiting sender's value moves into the queue.
  void admit_sender() {
    if (senders_.empty()) return;
    send_awaiter* s = senders_.front();
    senders_.pop_front();
    items_.push_back(std::move(s->value));
    s->delivered = true;
    runtime::current().post(s->waiter);
  }

  std::deque<T> items_;
  std::deque<send_awaiter*> senders_;
  std::deque<receive_awaiter*> receivers_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace coring
