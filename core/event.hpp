#pragma once
// event: a single-thread manual-reset event. set() wakes every waiter (through the
// ready queue, never inline, so set() is safe to call from anywhere on the thread).

#include <coroutine>
#include <vector>

#include "core/runtime.hpp"

namespace coring {

class event {
 public:
  bool is_set() const noexcept { return set_; }
  void set() {
    set_ = true;
    for (std::coroutine_handle<> h : waiters_) runtime::current().post(h);
    waiters_.clear();
  }
  void reset() noexcept { set_ = false; }

  struct awaiter {
    event& self;
    bool await_ready() const noexcept { return self.set_; }
    void await_suspend(std::coroutine_handle<> h) { self.waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  awaiter wait() noexcept { return awaiter{*this}; }

 private:
  std::vector<std::coroutine_handle<>> waiters_;
  bool set_ = false;
};

}  // namespace coring
