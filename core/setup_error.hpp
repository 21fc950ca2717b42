#pragma once
// runtime_setup_error: a ring, or a part of it such as the provided-buffer ring,
// cannot be set up (old kernel, io_uring disabled, ENOMEM, a bad option, ...).

#include <stdexcept>

namespace coring {

class runtime_setup_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace coring
