#pragma once
// task<T>: a lazy coroutine that produces a T (or an exception) for whoever awaits it.
//
// - Lazy: nothing runs until the task is awaited (or spawned).
// - Symmetric transfer: starting a child and finishing back to the parent are tail
//   calls between coroutines, so a million-deep chain of awaits uses no stack.
// - The frame comes from frame_pool, so steady-state servers do not malloc per task.
// - The awaiting task's stop_source is handed to the child: cancelling a tree of
//   tasks cancels every I/O operation in flight beneath it.

#include <cassert>
#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>

#include "core/frame_pool.hpp"
#include "core/stop.hpp"

namespace coring {

template <class T = void>
class task;

namespace detail {

// The part of every task promise that the runtime and operations look at.
struct promise_base {
  std::coroutine_handle<> continuation;
  stop_source* stop = nullptr;

  static void* operator new(std::size_t size) { return frame_pool::allocate(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    frame_pool::deallocate(frame, size);
  }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> self) const noexcept {
      std::coroutine_handle<> next = self.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
};

template <class T>
struct task_promise : promise_base {
  task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    ::new (static_cast<void*>(&storage)) T(std::forward<U>(value));
    state = has_value;
  }
  void unhandled_exception() noexcept {
    ::new (static_cast<void*>(&error)) std::exception_ptr(std::current_exception());
    state = has_error;
  }
  ~task_promise() {
    if (state == has_value) reinterpret_cast<T*>(&storage)->~T();
    if (state == has_error) reinterpret_cast<std::exception_ptr*>(&error)->~exception_ptr();
  }
  T take() {
    if (state == has_error) std::rethrow_exception(*reinterpret_cast<std::exception_ptr*>(&error));
    assert(state == has_value);
    return std::move(*reinterpret_cast<T*>(&storage));
  }

  enum : unsigned char { empty, has_value, has_error } state = empty;
  union {
    alignas(T) unsigned char storage[sizeof(T)];
    alignas(std::exception_ptr) unsigned char error[sizeof(std::exception_ptr)];
  };
};

template <>
struct task_promise<void> : promise_base {
  task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void unhandled_exception() noexcept { error = std::current_exception(); }
  void take() {
    if (error) std::rethrow_exception(error);
  }
  std::exception_ptr error;
};

// What task::under(nullptr) stores: explicitly no stop_source, which the awaiting task
// must not replace with its own (a null stop means "inherit"). Only its address is
// used: nothing registers with it, and stop_of() reads it as none. A marker instead of
// a flag in task and its awaiter keeps both one pointer, and every coroutine frame
// holds one of each per co_await of a task.
inline stop_source explicitly_no_stop;

// The stop_source of whatever coroutine is awaiting: tasks have one, others don't.
template <class P>
stop_source* stop_of(std::coroutine_handle<P> h) noexcept {
  if constexpr (std::is_base_of_v<promise_base, P>) {
    stop_source* stop = h.promise().stop;
    return stop == &explicitly_no_stop ? nullptr : stop;
  } else {
    return nullptr;
  }
}

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;

  task() noexcept = default;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  task(task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  task& operator=(task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() {
    if (handle_) handle_.destroy();
  }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
  [[nodiscard]] bool done() const noexcept { return handle_ && handle_.done(); }

  // Runs this task under `source` (none if null) instead of the awaiting task's stop_source.
  task&& under(stop_source* source) && noexcept {
    handle_.promise().stop = source != nullptr ? source : &detail::explicitly_no_stop;
    return std::move(*this);
  }

  struct awaiter {
    std::coroutine_handle<promise_type> child;
    bool await_ready() const noexcept { return !child || child.done(); }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> parent) noexcept {
      child.promise().continuation = parent;
      if (child.promise().stop == nullptr) child.promise().stop = detail::stop_of(parent);
      return child;  // symmetric transfer: start the child as a tail call
    }
    T await_resume() { return child.promise().take(); }
  };
  awaiter operator co_await() && noexcept { return awaiter{handle_}; }

  // For the runtime: release ownership of the frame.
  std::coroutine_handle<promise_type> release() noexcept { return std::exchange(handle_, {}); }
  std::coroutine_handle<promise_type> handle() const noexcept { return handle_; }

 private:
  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace coring
