#pragma once
// File I/O through the ring: open, read, write, fsync, close. Offsets are explicit
// (pread/pwrite semantics); -1 means "the file position" where the kernel allows it.

#include <fcntl.h>
#include <liburing.h>

#include <cstdint>

#include "core/op.hpp"

namespace coring {

// LIFETIME: path must stay valid until the open completes (the awaiting frame).
inline auto open_file(const char* path, int flags, mode_t mode = 0644) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_openat(s, AT_FDCWD, path, flags | O_CLOEXEC, mode); });
}

inline auto read_file(int fd, void* buffer, unsigned length, std::uint64_t offset) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_read(s, fd, buffer, length, offset); });
}

inline auto write_file(int fd, const void* data, unsigned length, std::uint64_t offset) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_write(s, fd, data, length, offset); });
}

// data_only: fdatasync instead of fsync.
inline auto fsync_file(int fd, bool data_only = false) {
  return make_op(
      [=](io_uring_sqe* s) { io_uring_prep_fsync(s, fd, data_only ? IORING_FSYNC_DATASYNC : 0); });
}

inline auto close_file(int fd) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_close(s, fd); });
}

}  // namespace coring
