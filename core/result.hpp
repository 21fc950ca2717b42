#pragma once
// io_result: what every io_uring operation completes with — the CQE's `res`.
// Values, not exceptions: a network error is an expected outcome on a server.

#include <cerrno>
#include <cstring>
#include <string_view>

namespace coring {

struct io_result {
  int value = 0;  // >= 0: success (bytes, fd, ...); < 0: -errno

  [[nodiscard]] constexpr bool ok() const noexcept { return value >= 0; }
  [[nodiscard]] constexpr int error() const noexcept { return value < 0 ? -value : 0; }
  [[nodiscard]] constexpr explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] std::string_view message() const noexcept {
    return value < 0 ? std::string_view(std::strerror(-value)) : std::string_view("ok");
  }
};

}  // namespace coring
