#pragma once
// The machinery when_all and when_any share: child coroutines that run one task each,
// store its outcome, and let the last one to finish resume the parent (symmetric
// transfer from its final_suspend).

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/stop.hpp"
#include "core/task.hpp"

namespace coring::detail {

template <class T>
using value_or_monostate = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
struct outcome {
  std::optional<value_or_monostate<T>> value;
  std::exception_ptr error;
  value_or_monostate<T> take() {
    if (error) std::rethrow_exception(error);
    return std::move(*value);
  }
};

struct join_state {
  std::size_t remaining = 0;
  std::coroutine_handle<> parent;
  std::size_t winner = static_cast<std::size_t>(-1);
  stop_source* stop_on_first = nullptr;  // when_any: stop the others once one is done
};

class join_child {
 public:
  struct promise_type : promise_base {
    join_state* state = nullptr;
    std::size_t index = 0;
    join_child get_return_object() noexcept {
      return join_child(std::coroutine_handle<promise_type>::from_promise(*this));
    }
    struct last_one_resumes {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> self) noexcept {
        join_state* st = self.promise().state;
        if (st->winner == static_cast<std::size_t>(-1)) {
          st->winner = self.promise().index;
          if (st->stop_on_first != nullptr) st->stop_on_first->request_stop();
        }
        if (--st->remaining == 0) return st->parent;
        return std::noop_coroutine();
      }
      void await_resume() const noexcept {}
    };
    last_one_resumes final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void unhandled_exception() const noexcept { std::terminate(); }  // run_child catches all
  };

  join_child() noexcept = default;
  explicit join_child(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  join_child(join_child&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  join_child& operator=(join_child&& o) noexcept {
    if (this != &o) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(o.handle_, {});
    }
    return *this;
  }
  ~join_child() {
    if (handle_) handle_.destroy();
  }
  std::coroutine_handle<promise_type> handle() const noexcept { return handle_; }

 private:
  std::coroutine_handle<promise_type> handle_;
};

template <class T>
join_child run_child(task<T> t, outcome<T>* out) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(t);
      out->value.emplace();
    } else {
      out->value.emplace(co_await std::move(t));
    }
  } catch (...) {
    out->error = std::current_exception();
  }
}

// Starts every child under `stop` and suspends the parent until all have finished.
struct join_awaiter {
  std::span<join_child> children;
  join_state& state;
  stop_source* stop;
  bool use_parent_stop;

  bool await_ready() const noexcept { return children.empty(); }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> parent) {
    state.parent = parent;
    state.remaining = children.size() + 1;  // +1: our own, so no child resumes us mid-loop
    stop_source* s = use_parent_stop ? stop_of(parent) : stop;
    for (std::size_t i = 0; i < children.size(); ++i) {
      auto& promise = children[i].handle().promise();
      promise.state = &state;
      promise.index = i;
      promise.stop = s;
      children[i].handle().resume();
    }
    return --state.remaining != 0;
  }
  void await_resume() const noexcept {}
};

// Awaitable that yields the stop_source the awaiting task runs under.
struct current_stop {
  stop_source* found = nullptr;
  bool await_ready() const noexcept { return false; }
  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    found = stop_of(h);
    return false;
  }
  stop_source* await_resume() const noexcept { return found; }
};

}  // namespace coring::detail
