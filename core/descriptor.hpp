#pragma once
// descriptor: a file as io_uring sees it — a plain fd or a direct descriptor.
//
// Direct descriptors (IOSQE_FIXED_FILE) live in the ring's registered file table, not
// in the process fd table: they skip the per-operation fd lookup and do not count
// against RLIMIT_NOFILE, so one thread can hold as many connections as its table.

#include <liburing.h>

namespace coring {

struct descriptor {
  int index = -1;  // fd, or slot in the ring's file table when `direct`
  bool direct = false;

  [[nodiscard]] bool valid() const noexcept { return index >= 0; }
  // Makes the SQE refer to this descriptor.
  void apply(io_uring_sqe* s) const noexcept {
    if (direct) s->flags |= IOSQE_FIXED_FILE;
  }
};

}  // namespace coring
