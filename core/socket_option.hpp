#pragma once
// setsockopt through io_uring (IORING_OP_URING_CMD, SOCKET_URING_OP_SETSOCKOPT, Linux
// 6.7+): an option change that rides along with the loop's next submit instead of
// costing a system call of its own. liburing 2.3 predates it, so the SQE is filled
// by hand with the kernel's field layout (cmd_op at byte 8, level and optname at 16,
// optlen at 44, optval at 48).

#include <liburing.h>

#include <cstdint>
#include <cstring>

#include "core/descriptor.hpp"
#include "core/op.hpp"

namespace coring {

inline constexpr std::uint8_t uring_cmd_opcode = 46;       // IORING_OP_URING_CMD
inline constexpr std::uint32_t socket_cmd_setsockopt = 3;  // SOCKET_URING_OP_SETSOCKOPT

// LIFETIME: `value` is read when the kernel issues the SQE — keep it alive until the
// next submit (a static or a frame that outlives the CQE).
inline void prep_setsockopt(io_uring_sqe* s, int fd, std::uint32_t level, std::uint32_t name,
                            const int* value) {
  io_uring_prep_rw(uring_cmd_opcode, s, fd, nullptr, 0, 0);
  auto* raw = reinterpret_cast<unsigned char*>(s);
  const std::uint32_t length = sizeof(int);
  const std::uint64_t address = reinterpret_cast<std::uintptr_t>(value);
  std::memcpy(raw + 8, &socket_cmd_setsockopt, sizeof socket_cmd_setsockopt);
  std::memcpy(raw + 16, &level, sizeof level);
  std::memcpy(raw + 20, &name, sizeof name);
  std::memcpy(raw + 44, &length, sizeof length);
  std::memcpy(raw + 48, &address, sizeof address);
}

// Awaitable form: res is 0, or -errno (-EOPNOTSUPP/-EINVAL on kernels before 6.7).
inline auto set_socket_option(descriptor d, std::uint32_t level, std::uint32_t name,
                              const int* value) {
  return make_op([=](io_uring_sqe* s) {
    prep_setsockopt(s, d.index, level, name, value);
    d.apply(s);
  });
}

static_assert(sizeof(io_uring_sqe) == 64, "prep_setsockopt writes a 64-byte SQE by offset");

}  // namespace coring
