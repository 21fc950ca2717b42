#pragma once
// signal_set: SIGINT/SIGTERM (or any set) read from a signalfd through the ring.
//
// Construct it on the main thread before starting other threads: it blocks the
// signals in the calling thread, and threads created afterwards inherit the mask, so
// the signal is only ever seen as a readable signalfd, never as an async handler.

#include <signal.h>
#include <sys/signalfd.h>

#include <initializer_list>

#include "core/op.hpp"

namespace coring {

class signal_set {
 public:
  explicit signal_set(std::initializer_list<int> signals = {SIGINT, SIGTERM});
  ~signal_set();
  signal_set(const signal_set&) = delete;
  signal_set& operator=(const signal_set&) = delete;

  // Waits for one of the signals; returns its number, or -errno (e.g. -ECANCELED).
  task<int> wait();

 private:
  int fd_ = -1;
  signalfd_siginfo info_{};  // LIFETIME: read target of the in-flight read; lives with the set
};

}  // namespace coring
