#pragma once
// File I/O through the ring: open, read, write, fsync, close. Offsets are explicit
// (pread/pwrite semantics); -1 means "the file position" where the kernel allows it.

#include <fcntl.h>
#include <liburing.h>

#include <coroutine>
#include <cstdint>

#include "core/completion.hpp"
#include "core/op.hpp"
#include "core/runtime.hpp"

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

struct write_sync_result {
  int written = 0;  // bytes written, or -errno
  int synced = 0;   // 0, or -errno (-ECANCELED when the write fell short or failed)
  bool ok(unsigned length) const noexcept {
    return written == static_cast<int>(length) && synced == 0;
  }
};

// IORING_OP_WRITE linked to IORING_OP_FSYNC (IORING_FSYNC_DATASYNC): one submission,
// and the sync runs only if the whole write succeeded (a short write breaks the link).
// Not cancellable: a disk write in flight is waited for. LIFETIME: data must stay
// valid until co_await returns.
class write_and_sync : private completion {
 public:
  write_and_sync(int fd, const void* data, unsigned length, std::uint64_t offset) noexcept
      : completion{&on_write}, fd_(fd), data_(data), length_(length), offset_(offset) {
    sync_.owner = this;
  }
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> waiter) {
    waiter_ = waiter;
    runtime& rt = runtime::current();
    rt.reserve_sqes(2);
    io_uring_sqe* w = rt.sqe();
    io_uring_prep_write(w, fd_, data_, length_, offset_);
    w->flags |= IOSQE_IO_LINK;
    io_uring_sqe_set_data(w, static_cast<completion*>(this));
    io_uring_sqe* s = rt.sqe();
    io_uring_prep_fsync(s, fd_, IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data(s, static_cast<completion*>(&sync_));
  }
  write_sync_result await_resume() const noexcept { return result_; }

 private:
  struct sync_part : completion {
    sync_part() noexcept : completion{&on_sync} {}
    write_and_sync* owner = nullptr;
  };
  static void on_write(completion* self, int res, std::uint32_t) noexcept {
    auto* op = static_cast<write_and_sync*>(self);
    op->result_.written = res;
    op->arrived();
  }
  static void on_sync(completion* self, int res, std::uint32_t) noexcept {
    write_and_sync* op = static_cast<sync_part*>(self)->owner;
    op->result_.synced = res;
    op->arrived();
  }
  void arrived() noexcept {
    if (--pending_ == 0) waiter_.resume();
  }

  int fd_;
  const void* data_;
  unsigned length_;
  std::uint64_t offset_;
  sync_part sync_;
  std::coroutine_handle<> waiter_;
  write_sync_result result_{};
  int pending_ = 2;
};

inline auto close_file(int fd) {
  return make_op([=](io_uring_sqe* s) { io_uring_prep_close(s, fd); });
}

}  // namespace coring
