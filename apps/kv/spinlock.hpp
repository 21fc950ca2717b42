#pragma once
// spinlock: guards one stripe of the store for a few dozen nanoseconds at a time.
//
// A critical section here is a hash probe and a ≤ 32-byte copy, far shorter than a
// futex round trip, so waiting threads spin (test-and-test-and-set, with the CPU's
// pause hint) and only yield the CPU if the holder seems to have been preempted.

#include <sched.h>

#include <atomic>

namespace kv {

class spinlock {
 public:
  void lock() noexcept {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      for (unsigned spins = 0; locked_.load(std::memory_order_relaxed); ++spins) {
        if (spins < 256) {
          relax();
        } else {
          sched_yield();  // more threads than CPUs: let the holder run
        }
      }
    }
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
  std::atomic<bool> locked_{false};
};

}  // namespace kv
