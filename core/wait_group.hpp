#pragma once
// wait_group: counts outstanding work (connections, child tasks); wait() completes
// when the count reaches zero. Single-thread, like everything a runtime owns.

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <vector>

#include "core/runtime.hpp"

namespace coring {

class wait_group {
 public:
  void add(std::size_t n = 1) noexcept { count_ += n; }
  void done() {
    assert(count_ > 0);
    if (--count_ == 0) {
      for (std::coroutine_handle<> h : waiters_) runtime::current().post(h);
      waiters_.clear();
    }
  }
  std::size_t count() const noexcept { return count_; }

  struct awaiter {
    wait_group& self;
    bool await_ready() const noexcept { return self.count_ == 0; }
    void await_suspend(std::coroutine_handle<> h) { self.waiters_.push_back(h); }
    void await_resume() const noexcept {}
  };
  awaiter wait() noexcept { return awaiter{*this}; }

 private:
  std::size_t count_ = 0;
  std::vector<std::coroutine_handle<>> waiters_;
};

}  // namespace coring
